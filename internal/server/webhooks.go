package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/web"
)

// listWebhooks is the administrators' page of webhooks and deliveries.
func (s *Server) listWebhooks(c echo.Context) error {
	return s.renderWebhooks(c, http.StatusOK, model.Webhook{Format: model.WebhookJSON}, nil)
}

// createWebhook adds a webhook; a bad URL or division comes back beside
// its field with the values kept.
func (s *Server) createWebhook(c echo.Context) error {
	actor, _ := currentUser(c)
	w := model.Webhook{DivisionCode: formText(c, "division"), URL: formText(c, "url"),
		Format: model.WebhookFormat(c.FormValue("format")), Secret: c.FormValue("secret")}
	_, err := s.store.CreateWebhook(c.Request().Context(), actor, w)
	var fe model.FieldErrors
	if errors.As(err, &fe) {
		return s.renderWebhooks(c, http.StatusUnprocessableEntity, w, fe)
	}
	if err != nil {
		return err
	}
	return s.flash(c, "webhook_added", "/admin/webhooks")
}

// deleteWebhook removes a webhook.
func (s *Server) deleteWebhook(c echo.Context) error {
	actor, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteWebhook(c.Request().Context(), actor, id); err != nil {
		return err
	}
	return s.flash(c, "webhook_removed", "/admin/webhooks")
}

func (s *Server) renderWebhooks(c echo.Context, status int, form model.Webhook, errs model.FieldErrors) error {
	ctx := c.Request().Context()
	hooks, err := s.store.Webhooks(ctx)
	if err != nil {
		return err
	}
	stats, err := s.store.OutboxStats(ctx)
	if err != nil {
		return err
	}
	fails, err := s.store.FailedDeliveries(ctx, 50)
	if err != nil {
		return err
	}
	for i := range fails {
		fails[i].NextAt = fails[i].NextAt.In(s.store.Location())
	}
	divisions, err := s.store.DivisionsWithin(ctx, "")
	if err != nil {
		return err
	}
	p := web.WebhooksPage{Hooks: hooks, Stats: stats, Failures: fails, Form: form, Errors: errs, Divisions: divisions}
	p.Base = s.titledBase(c, "webhook.title", "admin")
	return render(c, status, web.WebhooksView(p))
}
