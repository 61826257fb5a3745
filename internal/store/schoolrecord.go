package store

import "safecampus/internal/model"

// schoolRecord is a school as its audit entries ("create", "update",
// "import") record it. The coverage rebuild reads these entries back to
// replay a school's history, so their shape is declared here, once, and
// not borrowed from model.School: a field added to or renamed in the model
// changes neither the entries written from now on nor the reading of old
// ones. TestSchoolRecordShape pins it.
type schoolRecord struct {
	ID            int64  `json:"ID"`
	Code          string `json:"Code"`
	Name          string `json:"Name"`
	Type          string `json:"Type"`
	DivisionCode  string `json:"DivisionCode"`
	Address       string `json:"Address"`
	Students      int    `json:"Students"`
	Boarders      int    `json:"Boarders"`
	PoliceStation string `json:"PoliceStation"`
	Ownership     string `json:"Ownership"`
	Active        bool   `json:"Active"`
}

// activeRecord is what "activate" and "deactivate" entries record.
type activeRecord struct {
	Active bool `json:"active"`
}

func (r schoolRow) record() schoolRecord {
	return schoolRecord{
		ID: r.ID, Code: r.Code, Name: r.Name, Type: r.Type, DivisionCode: r.DivisionCode, Address: r.Address,
		Students: r.Students, Boarders: r.Boarders, PoliceStation: r.PoliceStation, Ownership: r.Ownership, Active: r.Active,
	}
}

func (r schoolRecord) model() model.School {
	return model.School{
		ID: r.ID, Code: r.Code, Name: r.Name, Type: model.SchoolType(r.Type), DivisionCode: r.DivisionCode,
		Address: r.Address, Students: r.Students, Boarders: r.Boarders, PoliceStation: r.PoliceStation,
		Ownership: model.Ownership(r.Ownership), Active: r.Active,
	}
}
