package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"safecampus/internal/i18n"
	"safecampus/internal/store"
)

// Mailer sends e-mail through one SMTP server.
type Mailer struct {
	host     string
	port     int
	user     string
	password string
	implicit bool // smtps://: TLS from the first byte
	from     string
	// TLSConfig verifies the server's certificate for STARTTLS and
	// smtps; nil means the system's roots and the host's name.
	TLSConfig *tls.Config
}

// ParseSMTP reads --smtp: smtp://user:pass@host:port (STARTTLS when the
// server offers it) or smtps://… (TLS from the start). from is the sender.
func ParseSMTP(raw, from string) (*Mailer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--smtp: %v", err)
	}
	m := &Mailer{host: u.Hostname(), from: from}
	switch u.Scheme {
	case "smtp":
		m.port = 25
	case "smtps":
		m.port, m.implicit = 465, true
	default:
		return nil, fmt.Errorf("--smtp %q: want smtp://user:pass@host:port or smtps://…", redactURL(u))
	}
	if m.host == "" {
		return nil, fmt.Errorf("--smtp %q: no host", redactURL(u))
	}
	if p := u.Port(); p != "" {
		if m.port, err = strconv.Atoi(p); err != nil || m.port < 1 || m.port > 65535 {
			return nil, fmt.Errorf("--smtp: port %q is not a port number", p)
		}
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.password, _ = u.User.Password()
	}
	if err := store.ValidateEmail(from); err != nil {
		return nil, fmt.Errorf("--mail-from: %v", err)
	}
	return m, nil
}

func redactURL(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = url.User(u.User.Username())
	return c.String()
}

// Send sends one plain-text message.
func (m *Mailer) Send(ctx context.Context, to, subject, body, messageID string) error {
	msg := gomail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return fmt.Errorf("sender: %w", err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("recipient %q: %w", to, err)
	}
	msg.Subject(subject)
	if messageID != "" {
		msg.SetMessageIDWithValue(messageID)
	}
	msg.SetBodyString(gomail.TypeTextPlain, body)
	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(20 * time.Second)}
	if m.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if m.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(m.TLSConfig))
	}
	if m.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(m.user), gomail.WithPassword(m.password))
	}
	c, err := gomail.NewClient(m.host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// mail sends one delivery: a single notification, or a day's digest.
func (n *Notifier) mail(ctx context.Context, d store.Delivery) error {
	if n.cfg.Mailer == nil {
		return fmt.Errorf("no SMTP server configured")
	}
	l := n.bundle.Localizer(d.User.Language)
	var subject string
	var body strings.Builder
	if len(d.Notifications) == 1 {
		note := d.Notifications[0]
		subject = l.T("notify.mail_subject", map[string]any{"Kind": l.T("notify.kind." + string(note.Kind))})
	} else {
		subject = l.T("notify.digest_subject", map[string]any{"Count": len(d.Notifications), "Day": n.dueDay(n.store.Now()).String()})
	}
	for _, note := range d.Notifications {
		fmt.Fprintf(&body, "%s\n%s\n\n", i18n.NotificationIn(l, note), n.link(note))
	}
	body.WriteString("-- \n" + l.T("notify.mail_footer") + "\n")
	id := fmt.Sprintf("safecampus-%d-%d@%s", d.ID, d.Notifications[0].ID, n.cfg.Mailer.host)
	return n.cfg.Mailer.Send(ctx, d.Email, subject, body.String(), id)
}
