package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"safecampus/internal/i18n"
	"safecampus/internal/model"
	"safecampus/internal/roster"
	"safecampus/web"
)

// reportPeriod reads ?from= and ?to= (both inclusive). Without either, the
// period is the last full month. A value that is not a date, a period that
// ends before it starts or after today are field errors, named by field.
func reportPeriod(c echo.Context, today model.Date) (from, to model.Date, values map[string]string, errs model.FieldErrors) {
	from, to = web.LastFullMonth(today)
	values = map[string]string{"from": c.QueryParam("from"), "to": c.QueryParam("to")}
	read := func(field string, d *model.Date) {
		if values[field] == "" {
			values[field] = d.String()
			return
		}
		v, err := model.ParseDate(values[field])
		if err != nil {
			errs = append(errs, model.FieldError{Field: field, Message: field + ": " + err.Error()})
			return
		}
		*d = v
	}
	read("from", &from)
	read("to", &to)
	switch {
	case len(errs) > 0:
	case to > today:
		errs = append(errs, model.FieldError{Field: "to", Message: fmt.Sprintf("to %s is in the future", to)})
	case from > to:
		errs = append(errs, model.FieldError{Field: "to", Message: fmt.Sprintf("the period ends (%s) before it starts (%s)", to, from)})
	case from < model.FirstRealDay:
		errs = append(errs, model.FieldError{Field: "from", Message: "from " + from.String() + " is before " + model.FirstRealDay.String()})
	}
	return from, to, values, errs
}

// divisionReport reads the division in the URL (checking scope), the
// period, and the report; errs holds bad period values (no report then).
func (s *Server) divisionReport(c echo.Context) (rep model.Report, values map[string]string, errs model.FieldErrors, err error) {
	d, _, err := s.visibleDivision(c)
	if err != nil {
		return rep, nil, nil, err
	}
	from, to, values, errs := reportPeriod(c, s.store.Today())
	rep.Division, rep.From, rep.To = d, from, to
	if len(errs) > 0 {
		return rep, values, errs, nil
	}
	ctx := c.Request().Context()
	children, err := s.store.Children(ctx, d.Code)
	if err != nil {
		return rep, values, nil, err
	}
	rep, err = s.store.Report(ctx, d, children, from, to)
	return rep, values, nil, err
}

// showReport is the period report page /divisions/{code}/report (A4 print).
func (s *Server) showReport(c echo.Context) error {
	rep, values, errs, err := s.divisionReport(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := web.ReportPage{Report: rep, Values: values, Errors: localizeErrors(ctx, "report.err_", errs)}
	if p.Breadcrumb, err = s.store.Ancestors(ctx, rep.Division.Code); err != nil {
		return err
	}
	p.Base = s.base(c, i18n.T(ctx, "report.title")+" · "+i18n.DivisionName(ctx, rep.Division), "dashboard")
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, web.ReportView(p))
}

// apiReportFigures is one division's figures in the report API.
type apiReportFigures struct {
	Division            apiDivision        `json:"division"`
	Schools             int                `json:"schools"`
	Inspections         int                `json:"inspections"`
	SchoolsInspected    int                `json:"schools_inspected"`
	HazardsFound        int                `json:"hazards_found"`
	HazardsClosed       int                `json:"hazards_closed"`
	RectificationRate   model.Percent      `json:"rectification_rate"`
	OverdueOpen         int                `json:"overdue_open"`
	ChecklistsSubmitted int                `json:"checklists_submitted"`
	ChecklistsVerified  int                `json:"checklists_verified"`
	CoverageStart       apiShareSet        `json:"coverage_start"`
	CoverageEnd         apiShareSet        `json:"coverage_end"`
	Children            []apiReportFigures `json:"children,omitzero"` // absent in the children themselves
}

// apiShareSet is the measures + all_five shape of the coverage API.
type apiShareSet struct {
	Measures map[string]apiShare `json:"measures"`
	AllFive  apiShare            `json:"all_five"`
}

func shareSet(c model.Counts) apiShareSet {
	out := apiShareSet{Measures: map[string]apiShare{}, AllFive: apiShare{c.AllFive, c.AllFivePercent()}}
	for i, m := range model.Measures {
		out.Measures[string(m)] = apiShare{c.Measures[i], c.Percent(i)}
	}
	return out
}

func reportFiguresJSON(d model.Division, f model.ReportFigures) apiReportFigures {
	return apiReportFigures{Division: apiDivision{d.Code, d.Name, d.Level}, Schools: f.End.Schools,
		Inspections: f.Inspections, SchoolsInspected: f.SchoolsInspected, HazardsFound: f.HazardsFound,
		HazardsClosed: f.HazardsClosed, RectificationRate: f.RectificationRate(), OverdueOpen: f.OverdueOpen,
		ChecklistsSubmitted: f.ChecklistsSubmitted, ChecklistsVerified: f.ChecklistsVerified,
		CoverageStart: shareSet(f.Start), CoverageEnd: shareSet(f.End)}
}

// apiReport is GET /api/v1/reports/{division_code}?from=&to=.
func (s *Server) apiReport(c echo.Context) error {
	rep, _, errs, err := s.divisionReport(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs
	}
	out := struct {
		From model.Date `json:"from"`
		To   model.Date `json:"to"`
		apiReportFigures
	}{rep.From, rep.To, reportFiguresJSON(rep.Division, rep.ReportFigures)}
	out.Children = make([]apiReportFigures, len(rep.Children))
	for i, ch := range rep.Children {
		out.Children[i] = reportFiguresJSON(ch.Division, ch.ReportFigures)
	}
	return c.JSON(http.StatusOK, out)
}

// reportColumns are the figure columns of the report export, in order.
var reportColumns = []string{"schools", "inspections", "schools_inspected", "hazards_found", "hazards_closed",
	"rectification_rate", "overdue_open", "checklists_submitted", "checklists_verified",
	"all_five_start_percent", "all_five_end_percent"}

func reportCells(f model.ReportFigures) []roster.Cell {
	row := []roster.Cell{roster.Int(f.End.Schools), roster.Int(f.Inspections), roster.Int(f.SchoolsInspected),
		roster.Int(f.HazardsFound), roster.Int(f.HazardsClosed), roster.Percent(f.RectificationRate()),
		roster.Int(f.OverdueOpen), roster.Int(f.ChecklistsSubmitted), roster.Int(f.ChecklistsVerified),
		roster.Percent(f.Start.AllFivePercent()), roster.Percent(f.End.AllFivePercent())}
	for i := range model.Measures {
		row = append(row, roster.Percent(f.Start.Percent(i)), roster.Percent(f.End.Percent(i)))
	}
	return row
}

func reportHeader(lead ...string) []string {
	h := append(lead, reportColumns...)
	for _, m := range model.Measures {
		h = append(h, string(m)+"_start_percent", string(m)+"_end_percent")
	}
	return h
}

// exportReportXLSX is the report as a workbook: a sheet of the division's
// figures, a sheet of its children ranked.
func (s *Server) exportReportXLSX(c echo.Context) error {
	rep, _, errs, err := s.divisionReport(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs
	}
	figures := roster.Sheet{Name: "figures", Header: reportHeader("code", "name", "from", "to"),
		Rows: [][]roster.Cell{append([]roster.Cell{roster.Text(rep.Division.Code), roster.Text(rep.Division.Name),
			roster.Text(rep.From.String()), roster.Text(rep.To.String())}, reportCells(rep.ReportFigures)...)}}
	children := roster.Sheet{Name: "children", Header: reportHeader("rank", "code", "name")}
	for _, ch := range rep.Children {
		children.Rows = append(children.Rows, append([]roster.Cell{roster.Int(ch.Rank), roster.Text(ch.Division.Code),
			roster.Text(ch.Division.Name)}, reportCells(ch.ReportFigures)...))
	}
	name := fmt.Sprintf("report-%s-%s-%s.xlsx", rep.Division.Code, rep.From, rep.To)
	return writeWorkbook(c, name, figures, children)
}
