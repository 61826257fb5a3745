package server

import (
	"net/url"
	"strconv"

	"safecampus/internal/model"
)

// schoolFields are the school form's fields.
var schoolFields = []string{"code", "name", "type", "division_code", "address", "students", "boarders", "police_station", "ownership"}

// schoolFormValues is the school form filled in with school.
func schoolFormValues(school model.School) map[string]string {
	return map[string]string{
		"code": school.Code, "name": school.Name, "type": string(school.Type), "division_code": school.DivisionCode,
		"address": school.Address, "students": strconv.Itoa(school.Students), "boarders": strconv.Itoa(school.Boarders),
		"police_station": school.PoliceStation, "ownership": string(school.Ownership),
	}
}

// parseSchoolForm reads the school form over school: the values as typed
// (trimmed, to re-render the form) and the numbers that do not parse. The
// store validates the rest.
func parseSchoolForm(form url.Values, school model.School) (model.School, map[string]string, model.FieldErrors) {
	values := trimmedValues(form, schoolFields...)
	var errs model.FieldErrors
	num := func(field string) int {
		v := values[field]
		if v == "" {
			if field == "students" {
				errs = append(errs, model.NewFieldError(field, "required", nil, "students is required"))
			}
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, model.NewFieldError(field, "not_whole_number", map[string]any{"Value": v}, "%q is not a whole number", v))
		}
		return n
	}
	school.Code, school.Name, school.DivisionCode = values["code"], values["name"], values["division_code"]
	school.Type, school.Ownership = model.SchoolType(values["type"]), model.Ownership(values["ownership"])
	school.Address, school.PoliceStation = values["address"], values["police_station"]
	school.Students, school.Boarders = num("students"), num("boarders")
	return school, values, errs
}
