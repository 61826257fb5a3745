// Command preview writes every page of package web, filled with its sample
// data, as HTML files into a directory with the static files beside them,
// for a look in a browser without running the server:
//
//	go run ./cmd/preview /tmp/webpreview
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"safecampus/internal/i18n"
	"safecampus/static"
	"safecampus/web"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "preview:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: preview DIR")
	}
	dir := args[0]
	b, err := i18n.NewBundle()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	n := 0
	for _, lang := range i18n.Languages {
		ctx := i18n.WithLocalizer(context.Background(), b.Localizer(lang))
		for name, c := range web.SamplePages() {
			var buf bytes.Buffer
			if err := c.Render(ctx, &buf); err != nil {
				return fmt.Errorf("%s (%s): %w", name, lang, err)
			}
			// file:// pages find the stylesheet beside them.
			html := strings.ReplaceAll(buf.String(), `"/static/`, `"static/`)
			file := name + ".html"
			if lang == i18n.English {
				file = name + ".en.html"
			}
			if err := os.WriteFile(filepath.Join(dir, file), []byte(html), 0o644); err != nil {
				return err
			}
			n++
		}
	}
	dst := filepath.Join(dir, "static")
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.CopyFS(dst, static.FS); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d pages written to %s\n", n, dir)
	return nil
}
