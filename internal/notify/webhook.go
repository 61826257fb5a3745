package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/store"
)

// webhookPayload is the JSON format of SPEC section 8.
type webhookPayload struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`
	SchoolCode   string `json:"school_code"`
	DivisionCode string `json:"division_code"`
	SubjectID    int64  `json:"subject_id"`
	Text         string `json:"text"`
	Link         string `json:"link"`
	CreatedAt    string `json:"created_at"`
}

// robotPayload is the DingTalk and WeCom robots' text message.
type robotPayload struct {
	MsgType string `json:"msgtype"`
	Text    struct {
		Content string `json:"content"`
	} `json:"text"`
}

// WebhookBody is what a webhook of the given format receives for a
// notification; text is in Chinese, the language of the robots' groups.
func WebhookBody(format model.WebhookFormat, note model.Notification, text, link string) ([]byte, error) {
	switch format {
	case model.WebhookDingTalk, model.WebhookWeCom:
		var p robotPayload
		p.MsgType = "text"
		p.Text.Content = text + "\n" + link
		return json.Marshal(p)
	default:
		return json.Marshal(webhookPayload{ID: note.ID, Kind: string(note.Kind), SchoolCode: note.SchoolCode, DivisionCode: note.DivisionCode,
			SubjectID: note.SubjectID, Text: text, Link: link, CreatedAt: note.CreatedAt.UTC().Format(time.RFC3339)})
	}
}

// Sign is the X-SafeCampus-Signature value of body with secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (n *Notifier) postWebhook(ctx context.Context, d store.Delivery) store.DeliveryResult {
	if len(d.Notifications) == 0 {
		return store.DeliveryResult{Err: fmt.Errorf("notification gone: %w", store.ErrUndeliverable)}
	}
	note := d.Notifications[0]
	text := i18n.NotificationIn(n.bundle.Localizer(i18n.Chinese), note)
	body, err := WebhookBody(d.Webhook.Format, note, text, n.link(note))
	if err != nil {
		return store.DeliveryResult{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Webhook.URL, bytes.NewReader(body))
	if err != nil {
		return store.DeliveryResult{Err: fmt.Errorf("%v: %w", err, store.ErrUndeliverable)}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "SafeCampus-Webhook/1")
	req.Header.Set("X-SafeCampus-Delivery", fmt.Sprint(d.ID))
	if d.Webhook.Secret != "" {
		req.Header.Set("X-SafeCampus-Signature", Sign(d.Webhook.Secret, body))
	}
	resp, err := n.cfg.HTTPClient.Do(req)
	if err != nil {
		return store.DeliveryResult{Err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return store.DeliveryResult{Status: resp.StatusCode, Err: fmt.Errorf("%s answered %s", d.Webhook.URL, resp.Status)}
	}
	return store.DeliveryResult{Status: resp.StatusCode}
}
