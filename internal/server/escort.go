package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"safecampus/internal/model"
	"safecampus/internal/store"
	"safecampus/web"
)

// maxMissedShown bounds the missed sessions a presence page lists.
const maxMissedShown = 200

// showEscortPosts lists a division's escort posts; inspectors and admins
// also get the form that sets one up.
func (s *Server) showEscortPosts(c echo.Context) error {
	d, u, err := s.visibleDivision(c)
	if err != nil {
		return err
	}
	values := map[string]string{}
	if d.Level == model.LevelCounty {
		values["division_code"] = d.Code
	}
	return s.renderEscortPosts(c, http.StatusOK, d, u, values, nil)
}

func (s *Server) renderEscortPosts(c echo.Context, status int, d model.Division, u model.User, values map[string]string, errs model.FieldErrors) error {
	ctx := c.Request().Context()
	p := web.EscortPostsPage{Division: d, CanRun: u.CanReview(), Values: values, Errors: localizeFieldErrors(c, errs)}
	var err error
	if p.Posts, err = s.store.EscortPosts(ctx, d.Code); err != nil {
		return err
	}
	if p.Breadcrumb, err = s.store.Ancestors(ctx, d.Code); err != nil {
		return err
	}
	p.Base = s.titledBase(c, "escort.posts_title", "dashboard", map[string]any{"Division": d.Name})
	return render(c, status, web.EscortPostsView(p))
}

// createEscortPost sets up a post from the division's posts page.
func (s *Server) createEscortPost(c echo.Context) error {
	d, _, err := s.visibleDivision(c)
	if err != nil {
		return err
	}
	values := formTexts(c, "division_code", "name", "schools")
	u, err := s.postRunner(c, values["division_code"])
	if err != nil && !errors.Is(err, errForbidden) || !u.CanReview() {
		return errForbidden
	}
	var errs model.FieldErrors
	if err != nil { // a division outside the user's scope
		errs = append(errs, model.NewFieldError("division_code", "division_out_of_scope", map[string]any{"Code": values["division_code"]},
			"division %s is outside your scope", values["division_code"]))
	} else {
		in := model.EscortPostInput{DivisionCode: values["division_code"], Name: values["name"],
			Schools: strings.FieldsFunc(values["schools"], func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' })}
		_, err = s.store.CreateEscortPost(c.Request().Context(), u, in)
		if err == nil {
			return s.flash(c, "escort_post_added", web.EscortPostsURL(d.Code))
		}
		if !errors.As(err, &errs) {
			return err
		}
	}
	return s.renderEscortPosts(c, http.StatusUnprocessableEntity, d, u, values, errs)
}

// showCheckIn is a post's check-in screen, the session preselected by the
// time of day and the counts by the post's last check-in.
func (s *Server) showCheckIn(c echo.Context) error {
	p, _, err := s.checkInPost(c)
	if err != nil {
		return err
	}
	values := map[string]string{"session": string(model.SessionAt(s.store.Now().In(s.store.Location()).Hour())),
		"police_officers": "", "staff": ""}
	return s.renderCheckIn(c, http.StatusOK, p, values, nil)
}

func (s *Server) renderCheckIn(c echo.Context, status int, p model.EscortPost, values map[string]string, errs model.FieldErrors) error {
	ctx := c.Request().Context()
	page := web.CheckInPage{Post: p, Values: values, Errors: localizeFieldErrors(c, errs)}
	var err error
	if page.Recent, err = s.store.PostCheckIns(ctx, p.ID, 10); err != nil {
		return err
	}
	if len(page.Recent) > 0 && values["police_officers"] == "" && values["staff"] == "" {
		last := page.Recent[0]
		values["police_officers"], values["staff"] = strconv.Itoa(last.PoliceOfficers), strconv.Itoa(last.Staff)
	}
	page.Base = s.titledBase(c, "escort.check_in_title", "", map[string]any{"Post": p.Name})
	return render(c, status, web.CheckInView(page))
}

// checkIn records a check-in from the check-in screen.
func (s *Server) checkIn(c echo.Context) error {
	p, u, err := s.checkInPost(c)
	if err != nil {
		return err
	}
	values := formTexts(c, "session", "police_officers", "staff")
	var errs model.FieldErrors
	in := model.CheckInInput{Session: model.Session(values["session"]),
		PoliceOfficers: formCount(values, "police_officers", &errs), Staff: formCount(values, "staff", &errs)}
	status := http.StatusUnprocessableEntity
	if len(errs) == 0 {
		_, err = s.store.CheckIn(c.Request().Context(), u, p.ID, in)
		switch {
		case err == nil:
			return s.flash(c, "checked_in", web.CheckInURL(p.ID))
		case errors.Is(err, store.ErrCheckedIn):
			status = http.StatusConflict
			errs = model.FieldErrors{model.NewFieldError("session", "checked_in", nil, "%s", store.ErrCheckedIn.Error())}
		case !errors.As(err, &errs):
			return err
		}
	}
	return s.renderCheckIn(c, status, p, values, errs)
}

// showEscortPresence is a division's police presence over a period, with
// its children's and the missed sessions.
func (s *Server) showEscortPresence(c echo.Context) error {
	d, _, err := s.visibleDivision(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := web.PresencePage{Division: d}
	if p.From, p.To, err = periodParams(c, s.store.Today()); err != nil {
		return err
	}
	if p.Total, p.Children, err = s.store.Presence(ctx, d.Code, p.From, p.To); err != nil {
		return err
	}
	if p.Missed, err = s.store.MissedSessions(ctx, d.Code, p.From, p.To, maxMissedShown+1); err != nil {
		return err
	}
	if len(p.Missed) > maxMissedShown {
		p.Missed, p.MoreMissed = p.Missed[:maxMissedShown], true
	}
	if p.Breadcrumb, err = s.store.Ancestors(ctx, d.Code); err != nil {
		return err
	}
	p.Base = s.titledBase(c, "escort.presence_title", "dashboard", map[string]any{"Division": d.Name})
	return render(c, http.StatusOK, web.PresenceView(p))
}

// showCalendar lists the deployment calendar from a year back on.
func (s *Server) showCalendar(c echo.Context) error {
	return s.renderCalendar(c, http.StatusOK, map[string]string{"kind": "holiday"}, nil)
}

func (s *Server) renderCalendar(c echo.Context, status int, values map[string]string, errs model.FieldErrors) error {
	ctx := c.Request().Context()
	today := s.store.Today()
	days, err := s.store.CalendarDays(ctx, today.AddDays(-366), today.AddDays(2*366))
	if err != nil {
		return err
	}
	p := web.CalendarPage{Days: days, Values: values, Errors: localizeFieldErrors(c, errs)}
	p.Base = s.titledBase(c, "calendar.title", "admin")
	return render(c, status, web.CalendarView(p))
}

// setCalendarDay makes a day a holiday or a make-up school day.
func (s *Server) setCalendarDay(c echo.Context) error {
	u, _ := currentUser(c)
	values := formTexts(c, "day", "kind", "note")
	var errs model.FieldErrors
	day := formDate(values, "day", &errs)
	if k := values["kind"]; k != "holiday" && k != "school_day" {
		errs = append(errs, model.NewFieldError("kind", "bad_choice", map[string]any{"Value": k}, "kind %q is not holiday or school_day", k))
	}
	if len(errs) == 0 {
		err := s.store.SetCalendarDay(c.Request().Context(), u, model.CalendarDay{Day: day, SchoolDay: values["kind"] == "school_day", Note: values["note"]})
		if err == nil {
			return s.flash(c, "calendar_saved", web.CalendarURL())
		}
		if !errors.As(err, &errs) {
			return err
		}
	}
	return s.renderCalendar(c, http.StatusUnprocessableEntity, values, errs)
}

// deleteCalendarDay returns a day to the week's rule.
func (s *Server) deleteCalendarDay(c echo.Context) error {
	u, _ := currentUser(c)
	day, err := model.ParseDate(c.Param("day"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "day: "+err.Error())
	}
	if err := s.store.DeleteCalendarDay(c.Request().Context(), u, day); err != nil {
		return err
	}
	return s.flash(c, "calendar_removed", web.CalendarURL())
}
