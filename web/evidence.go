package web

import (
	"fmt"
	"strconv"

	"safecampus/internal/model"
)

// EvidenceBlock lists the files of a checklist or hazard answer and, when
// allowed, the form to add more.
type EvidenceBlock struct {
	Files     []model.Evidence
	UploadURL string // "" = no upload form
	CanDelete bool   // files may be removed (draft checklists)
	Error     string // why the last upload was refused
	CSRF      string
	Key       string // the upload form's idempotency key
}

// sizeText is a file size in KiB or MiB.
func sizeText(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// thumbSize scales an image's dimensions to fit a 160-pixel box, for the
// width and height attributes of its thumbnail.
func thumbSize(w, h int) (string, string) {
	if w <= 0 || h <= 0 {
		return "160", "120"
	}
	const box = 160
	if w >= h {
		return strconv.Itoa(box), strconv.Itoa(max(1, h*box/w))
	}
	return strconv.Itoa(max(1, w*box/h)), strconv.Itoa(box)
}

func thumbW(e model.Evidence) string { w, _ := thumbSize(e.Width, e.Height); return w }
func thumbH(e model.Evidence) string { _, h := thumbSize(e.Width, e.Height); return h }

// eventEvidence picks the files that came with one hazard event.
func eventEvidence(files []model.Evidence, eventID int64) []model.Evidence {
	var out []model.Evidence
	for _, f := range files {
		if f.HazardEventID == eventID {
			out = append(out, f)
		}
	}
	return out
}
