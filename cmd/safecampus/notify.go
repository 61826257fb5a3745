package main

import (
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/notify"
	"safecampus/internal/store"
)

// mailConfig is what the e-mail and link flags say.
type mailConfig struct {
	smtp, from, publicURL string
}

// mailFlags adds --smtp, --mail-from and --public-url to a command.
func (e *env) mailFlags(cmd *cobra.Command, def func(string, string) string) {
	cmd.Flags().StringVar(&e.mail.smtp, "smtp", def("SAFECAMPUS_SMTP", ""),
		"SMTP server for e-mail notifications, smtp://user:pass@host:port (STARTTLS when offered) or smtps://… (env SAFECAMPUS_SMTP)")
	cmd.Flags().StringVar(&e.mail.from, "mail-from", def("SAFECAMPUS_MAIL_FROM", "safecampus@localhost.localdomain"),
		"sender address of e-mail notifications (env SAFECAMPUS_MAIL_FROM)")
	cmd.Flags().StringVar(&e.mail.publicURL, "public-url", def("SAFECAMPUS_PUBLIC_URL", ""),
		"the server's address as users reach it, for links in e-mails and webhooks (env SAFECAMPUS_PUBLIC_URL)")
}

// notifier builds the notifier from the flags.
func (e *env) notifier(st *store.Store) (*notify.Notifier, error) {
	cfg := notify.Config{PublicURL: e.mail.publicURL}
	if e.mail.smtp != "" {
		m, err := notify.ParseSMTP(e.mail.smtp, e.mail.from)
		if err != nil {
			return nil, err
		}
		cfg.Mailer = m
	}
	bundle, err := i18n.NewBundle()
	if err != nil {
		return nil, err
	}
	return notify.New(cfg, st, bundle, e.logger()), nil
}

func (e *env) notifyCommand(def func(string, string) string) *cobra.Command {
	n := &cobra.Command{Use: "notify", Short: "Reminders and escalation", Args: cobra.NoArgs}
	var date string
	run := &cobra.Command{
		Use:   "run [--date YYYY-MM-DD]",
		Short: "Run the daily reminder job for a day (default today), deliver the outbox, print counts",
		Long: "Run the daily reminder job for a day (default today in --tz), then deliver the e-mails and webhooks " +
			"waiting in the outbox, and print the notifications made per kind and the deliveries. A day that already " +
			"ran (here or on another server) makes nothing new. For cron-style deployments.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			day := st.Today()
			if date != "" {
				if day, err = model.ParseDate(date); err != nil {
					return fmt.Errorf("--date %q: want YYYY-MM-DD", date)
				}
			}
			nt, err := e.notifier(st)
			if err != nil {
				return err
			}
			r, err := nt.RunDay(cmd.Context(), day)
			if err != nil {
				return err
			}
			if r.AlreadyRan {
				fmt.Fprintf(e.stdout, "%s: already ran; no new notifications\n", day)
			} else {
				fmt.Fprintf(e.stdout, "%s: notifications\n", day)
			}
			w := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
			for _, k := range model.NotificationKinds {
				fmt.Fprintf(w, "  %s\t%d\n", k, r.Counts[k])
			}
			w.Flush()
			d, err := nt.Deliver(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "deliveries: %d sent, %d failed (retried later)\n", d.Sent, d.Failed)
			return nil
		},
	}
	run.Flags().StringVar(&date, "date", "", "the day to run, YYYY-MM-DD (default today)")
	e.mailFlags(run, def)
	n.AddCommand(run)
	return n
}

func (e *env) webhookCommand() *cobra.Command {
	wh := &cobra.Command{Use: "webhook", Short: "Manage webhooks (notifications POSTed per division subtree)", Args: cobra.NoArgs}
	var division, url, format, secret string
	add := &cobra.Command{
		Use:   "add --division CODE --url URL [--format json|dingtalk|wecom] [--secret S]",
		Short: "Add a webhook and print its id",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if division == "" || url == "" {
				return errors.New("--division and --url are required")
			}
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			w, err := st.CreateWebhook(cmd.Context(), cli, model.Webhook{DivisionCode: division, URL: url, Format: model.WebhookFormat(format), Secret: secret})
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, w.ID)
			return nil
		},
	}
	add.Flags().StringVar(&division, "division", "", "division code: schools in its subtree are reported")
	add.Flags().StringVar(&url, "url", "", "http:// or https:// URL to POST to")
	add.Flags().StringVar(&format, "format", "json", "json, dingtalk or wecom")
	add.Flags().StringVar(&secret, "secret", "", "sign bodies with HMAC-SHA256 (X-SafeCampus-Signature)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List webhooks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			hooks, err := st.Webhooks(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tDIVISION\tFORMAT\tSIGNED\tURL\tADDED")
			for _, h := range hooks {
				fmt.Fprintf(w, "%d\t%s\t%s\t%v\t%s\t%s\n", h.ID, h.DivisionCode, h.Format, h.Secret != "", h.URL, h.CreatedAt.Format(time.DateOnly))
			}
			return w.Flush()
		},
	}
	remove := &cobra.Command{
		Use:   "remove ID",
		Short: "Remove a webhook and its pending deliveries",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("webhook id %q is not a number", args[0])
			}
			st, err := e.openStore(cmd.Context(), e.cfg.db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.DeleteWebhook(cmd.Context(), cli, id); errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no webhook %d", id)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "removed webhook %d\n", id)
			return nil
		},
	}
	wh.AddCommand(add, list, remove)
	return wh
}
