package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
)

// maxPresenceDays bounds the period of a presence figure.
const maxPresenceDays = 366

// periodParams reads from= and to= (YYYY-MM-DD; default the 30 days to
// today). A bad date, to before from, a future to or a period longer than
// maxPresenceDays is a 400.
func periodParams(c echo.Context, today model.Date) (from, to model.Date, err error) {
	to, from = today, today.AddDays(-29)
	for _, p := range []struct {
		name string
		d    *model.Date
	}{{"from", &from}, {"to", &to}} {
		if v := c.QueryParam(p.name); v != "" {
			if *p.d, err = model.ParseDate(v); err != nil {
				return 0, 0, echo.NewHTTPError(http.StatusBadRequest, p.name+": "+err.Error())
			}
		}
	}
	switch {
	case to > today:
		return 0, 0, echo.NewHTTPError(http.StatusBadRequest, "to "+to.String()+" is in the future")
	case from > to:
		return 0, 0, echo.NewHTTPError(http.StatusBadRequest, "from "+from.String()+" is after to "+to.String())
	case to.DaysSince(from) >= maxPresenceDays:
		return 0, 0, echo.NewHTTPError(http.StatusBadRequest, "the period is longer than 366 days")
	}
	return from, to, nil
}

// postRunner is the signed-in user when they may set up escort posts in
// the division: inspectors in scope and admins.
func (s *Server) postRunner(c echo.Context, code string) (model.User, error) {
	u, _ := currentUser(c)
	if !u.CanReview() {
		return u, errForbidden
	}
	ok, err := s.canSeeDivision(c.Request().Context(), u, code)
	if err != nil {
		return u, err
	}
	if !ok {
		return u, errForbidden
	}
	return u, nil
}

// checkInPost loads the post named in the URL and checks that the user
// may check in there: admins, inspectors in scope, users of a school the
// post serves.
func (s *Server) checkInPost(c echo.Context) (model.EscortPost, model.User, error) {
	u, _ := currentUser(c)
	id, err := idParam(c)
	if err != nil {
		return model.EscortPost{}, u, err
	}
	ctx := c.Request().Context()
	p, err := s.store.EscortPost(ctx, id)
	if err != nil {
		return p, u, err
	}
	return p, u, s.requireCheckIn(ctx, u, p)
}

// requireCheckIn is nil when u may check in at post p, errForbidden when not.
func (s *Server) requireCheckIn(ctx context.Context, u model.User, p model.EscortPost) error {
	ok := false
	var err error
	switch u.Role {
	case model.Admin:
		ok = true
	case model.Inspector:
		ok, err = s.store.Within(ctx, u.ScopeCode, p.DivisionCode)
	case model.SchoolRep:
		ok, err = s.store.PostServesSchool(ctx, p.ID, u.ScopeCode)
	}
	if err == nil && !ok {
		err = errForbidden
	}
	return err
}

// apiCreateEscortPost is POST /api/v1/escort-posts.
func (s *Server) apiCreateEscortPost(c echo.Context) error {
	var body struct {
		DivisionCode string   `json:"division_code"`
		Name         string   `json:"name"`
		Schools      []string `json:"schools"`
	}
	if err := decodeJSON(c, &body, false); err != nil {
		return err
	}
	u, err := s.postRunner(c, body.DivisionCode)
	if err != nil && !(errors.Is(err, errForbidden) && u.CanReview() && body.DivisionCode == "") {
		return err // without a division the store answers 422
	}
	p, err := s.store.CreateEscortPost(c.Request().Context(), u, model.EscortPostInput{DivisionCode: body.DivisionCode, Name: body.Name, Schools: body.Schools})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]int64{"id": p.ID})
}

// apiCheckIn is POST /api/v1/escort-posts/{id}/check-ins.
func (s *Server) apiCheckIn(c echo.Context) error {
	p, u, err := s.checkInPost(c)
	if err != nil {
		return err
	}
	var body struct {
		Session        model.Session `json:"session"`
		PoliceOfficers int           `json:"police_officers"`
		Staff          int           `json:"staff"`
	}
	if err := decodeJSON(c, &body, false); err != nil {
		return err
	}
	ci, err := s.store.CheckIn(c.Request().Context(), u, p.ID, model.CheckInInput{Session: body.Session, PoliceOfficers: body.PoliceOfficers, Staff: body.Staff})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": ci.ID, "day": ci.Day, "session": ci.Session})
}

// apiPresence is one division's police presence as the API shows it.
type apiPresence struct {
	DivisionCode string        `json:"division_code,omitempty"`
	Name         string        `json:"name,omitempty"`
	Posts        int           `json:"posts"`
	Sessions     int           `json:"sessions"`
	WithPolice   int           `json:"sessions_with_police"`
	Percent      model.Percent `json:"percent"`
	Children     []apiPresence `json:"children,omitzero"`
}

func presenceJSON(p model.Presence) apiPresence {
	return apiPresence{Posts: p.Posts, Sessions: p.Sessions, WithPolice: p.WithPolice, Percent: p.Percent()}
}

// apiEscortPresence is GET /api/v1/escort-presence/{division_code}?from=&to=.
func (s *Server) apiEscortPresence(c echo.Context) error {
	d, _, err := s.visibleDivision(c)
	if err != nil {
		return err
	}
	from, to, err := periodParams(c, s.store.Today())
	if err != nil {
		return err
	}
	total, children, err := s.store.Presence(c.Request().Context(), d.Code, from, to)
	if err != nil {
		return err
	}
	out := presenceJSON(total)
	out.Children = make([]apiPresence, len(children))
	for i, ch := range children {
		out.Children[i] = presenceJSON(ch)
		out.Children[i].DivisionCode, out.Children[i].Name = ch.Division.Code, ch.Division.Name
	}
	return c.JSON(http.StatusOK, out)
}
