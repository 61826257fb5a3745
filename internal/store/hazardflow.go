package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// A hazard's life after it is raised: the school answers (open → answered),
// the inspector closes it (→ closed) or sends it back (answered → open).
// Every step is a conditional update, so when two people act on one hazard
// at once one wins and the other gets ErrConflict; every step is audited
// and re-derives the school's coverage in the same transaction.

type hazardEventRow struct {
	ID       int64 `gorm:"primaryKey"`
	HazardID int64
	Kind     string
	Note     string
	UserID   *int64
	Username string
	At       time.Time
}

func (hazardEventRow) TableName() string { return "hazard_events" }

func (r hazardEventRow) model() model.HazardEvent {
	e := model.HazardEvent{ID: r.ID, HazardID: r.HazardID, Kind: model.HazardEventKind(r.Kind), Note: r.Note, Username: r.Username, At: r.At}
	if r.UserID != nil {
		e.UserID = *r.UserID
	}
	return e
}

// maxNote is the longest answer, send-back reason or closing note.
const maxNote = 5000

func checkNote(field, note string, required bool) (string, error) {
	note = strings.TrimSpace(note)
	switch {
	case note == "" && required:
		return "", model.FieldErrors{{Field: field, Message: "a " + strings.ReplaceAll(field, "_", " ") + " is required"}}
	case len([]rune(note)) > maxNote:
		return "", model.FieldErrors{{Field: field, Message: fmt.Sprintf("the %s is longer than %d characters", strings.ReplaceAll(field, "_", " "), maxNote)}}
	}
	return note, nil
}

// AnswerHazard records the school's answer to an open hazard, with the
// evidence files already saved by the caller; anything but an open hazard
// is ErrConflict. The measure stays uncovered until an inspector closes it.
func (s *Store) AnswerHazard(ctx context.Context, actor model.User, id int64, answer string, files []EvidenceInput) (model.Hazard, error) {
	answer, err := checkNote("answer", answer, true)
	if err != nil {
		return model.Hazard{}, err
	}
	now := s.now().UTC()
	return s.stepHazard(ctx, actor, id, hazardStep{
		from: []model.HazardState{model.HazardOpen}, to: model.HazardAnswered, kind: model.HazardAnswer, note: answer,
		set: map[string]any{"state": string(model.HazardAnswered), "answer": answer, "answered_at": now},
		after: func(tx *gorm.DB, h hazardRow, eventID int64) error {
			_, err := s.addEvidence(tx, actor, h.SchoolID, 0, h.ID, eventID, files)
			return err
		},
	})
}

// SendBackHazard returns an answered hazard to the school with a reason:
// the answer did not fix it. Anything but an answered hazard is ErrConflict.
func (s *Store) SendBackHazard(ctx context.Context, actor model.User, id int64, reason string) (model.Hazard, error) {
	reason, err := checkNote("reason", reason, true)
	if err != nil {
		return model.Hazard{}, err
	}
	return s.stepHazard(ctx, actor, id, hazardStep{
		from: []model.HazardState{model.HazardAnswered}, to: model.HazardOpen, kind: model.HazardSendBack, note: reason,
		set: map[string]any{"state": string(model.HazardOpen), "answer": "", "answered_at": nil},
	})
}

// CloseHazardFrom closes a hazard that is still in state from (what the
// inspector saw when deciding), with an optional note. A hazard that has
// moved on meanwhile is ErrConflict, so a close never silently overrides a
// send-back or an answer made at the same moment.
func (s *Store) CloseHazardFrom(ctx context.Context, actor model.User, id int64, from model.HazardState, note string) (model.Hazard, error) {
	note, err := checkNote("note", note, false)
	if err != nil {
		return model.Hazard{}, err
	}
	if from != model.HazardOpen && from != model.HazardAnswered {
		return model.Hazard{}, ErrConflict
	}
	return s.closeHazard(ctx, actor, id, []model.HazardState{from}, note)
}

func (s *Store) closeHazard(ctx context.Context, actor model.User, id int64, from []model.HazardState, note string) (model.Hazard, error) {
	return s.stepHazard(ctx, actor, id, hazardStep{
		from: from, to: model.HazardClosed, kind: model.HazardClose, note: note,
		set: map[string]any{"state": string(model.HazardClosed), "closed_by": actorID(actor), "closed_at": s.now().UTC()},
	})
}

type hazardStep struct {
	from  []model.HazardState
	to    model.HazardState
	kind  model.HazardEventKind
	note  string
	set   map[string]any
	after func(tx *gorm.DB, h hazardRow, eventID int64) error
	// once names the step by a key; repeated is set when the key was used
	// before and the step was not taken again.
	once     oneShot
	repeated *bool
}

func (s *Store) stepHazard(ctx context.Context, actor model.User, id int64, st hazardStep) (model.Hazard, error) {
	var out hazardRow
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var old hazardRow
		if err := tx.Where("id = ?", id).Take(&old).Error; err != nil {
			return notFound(err)
		}
		if _, repeated, err := s.claim(tx, st.once); repeated || err != nil {
			if repeated {
				*st.repeated, out = true, old
			}
			return err
		}
		from := make([]string, len(st.from))
		for i, f := range st.from {
			from[i] = string(f)
		}
		res := tx.Model(&hazardRow{}).Where("id = ? AND state IN ?", id, from).Updates(st.set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrConflict
		}
		if err := tx.Where("id = ?", id).Take(&out).Error; err != nil {
			return err
		}
		ev := hazardEventRow{HazardID: id, Kind: string(st.kind), Note: st.note, UserID: actorID(actor), Username: actor.Username, At: s.now().UTC()}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		if st.after != nil {
			if err := st.after(tx, out, ev.ID); err != nil {
				return err
			}
		}
		if err := s.settle(tx, st.once, ev.ID, string(st.to)); err != nil {
			return err
		}
		division, code, err := schoolPlace(tx, out.SchoolID)
		if err != nil {
			return err
		}
		if err := s.audit(tx, actor, string(st.kind), "hazard", itoa(id), division,
			map[string]any{"school": code, "state": old.State},
			map[string]any{"school": code, "state": out.State, "note": st.note}); err != nil {
			return err
		}
		return s.refreshSchools(tx, out.SchoolID)
	})
	if err != nil {
		return model.Hazard{}, err
	}
	return out.model(), nil
}

// HazardEvents returns what happened to a hazard after it was raised,
// oldest first.
func (s *Store) HazardEvents(ctx context.Context, id int64) ([]model.HazardEvent, error) {
	var rows []hazardEventRow
	if err := s.r.WithContext(ctx).Where("hazard_id = ?", id).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]model.HazardEvent, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// HazardStateFilter selects hazards by state in lists.
type HazardStateFilter string

const (
	HazardsActive   HazardStateFilter = ""    // open or answered: not closed
	HazardsAll      HazardStateFilter = "all" // any state
	HazardsOpen     HazardStateFilter = HazardStateFilter(model.HazardOpen)
	HazardsAnswered HazardStateFilter = HazardStateFilter(model.HazardAnswered)
	HazardsClosed   HazardStateFilter = HazardStateFilter(model.HazardClosed)
)

// ParseHazardStateFilter reads a state filter from a query string.
func ParseHazardStateFilter(s string) (HazardStateFilter, bool) {
	switch f := HazardStateFilter(s); f {
	case HazardsActive, HazardsAll, HazardsOpen, HazardsAnswered, HazardsClosed:
		return f, true
	}
	return "", false
}

// HazardQuery filters the hazard list.
type HazardQuery struct {
	Under    string // division subtree; "" = everywhere
	SchoolID int64  // one school; 0 = any
	Measure  model.Measure
	State    HazardStateFilter
	Overdue  bool // only hazards past their deadline and not closed
	Limit    int
	Offset   int
}

// HazardListItem is a hazard with its school.
type HazardListItem struct {
	Hazard       model.Hazard
	School       model.School
	DivisionName string
}

// Hazards lists hazards: the ones still to act on first, by deadline (the
// most overdue first), then closed ones.
func (s *Store) Hazards(ctx context.Context, q HazardQuery) ([]HazardListItem, int64, error) {
	today := s.Today()
	db := s.r.WithContext(ctx).Table("hazards h").Joins("JOIN schools s ON s.id = h.school_id")
	if q.Under != "" {
		db = db.Where("s.division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", q.Under)
	}
	if q.SchoolID != 0 {
		db = db.Where("h.school_id = ?", q.SchoolID)
	}
	if q.Measure != "" {
		db = db.Where("h.measure = ?", string(q.Measure))
	}
	switch q.State {
	case HazardsActive:
		db = db.Where("h.state <> ?", string(model.HazardClosed))
	case HazardsAll:
	default:
		db = db.Where("h.state = ?", string(q.State))
	}
	if q.Overdue {
		db = db.Where("h.state <> ? AND h.deadline < ?", string(model.HazardClosed), today)
	}
	var total int64
	if err := db.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	var rows []hazardRow
	err := db.Session(&gorm.Session{}).Select("h.*").
		Order("CASE WHEN h.state = 'closed' THEN 1 ELSE 0 END, h.deadline, h.id").
		Limit(q.Limit).Offset(q.Offset).Find(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	items, err := s.hazardItems(ctx, rows)
	return items, total, err
}

// hazardItems adds each hazard's school and county name.
func (s *Store) hazardItems(ctx context.Context, rows []hazardRow) ([]HazardListItem, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	read := s.r.WithContext(ctx)
	ids := map[int64]bool{}
	for _, r := range rows {
		ids[r.SchoolID] = true
	}
	schoolIDs := make([]int64, 0, len(ids))
	for id := range ids {
		schoolIDs = append(schoolIDs, id)
	}
	var schools []schoolRow
	if err := read.Where("id IN ?", schoolIDs).Find(&schools).Error; err != nil {
		return nil, err
	}
	byID := make(map[int64]schoolRow, len(schools))
	counties := map[string]bool{}
	for _, sr := range schools {
		byID[sr.ID] = sr
		counties[sr.DivisionCode] = true
	}
	names, err := divisionNames(read, keys(counties))
	if err != nil {
		return nil, err
	}
	out := make([]HazardListItem, len(rows))
	for i, r := range rows {
		sr := byID[r.SchoolID]
		out[i] = HazardListItem{Hazard: r.model(), School: sr.model(), DivisionName: names[sr.DivisionCode]}
	}
	return out, nil
}

func divisionNames(db *gorm.DB, codes []string) (map[string]string, error) {
	out := make(map[string]string, len(codes))
	if len(codes) == 0 {
		return out, nil
	}
	var rows []divisionRow
	if err := db.Select("code, name").Where("code IN ?", codes).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, d := range rows {
		out[d.Code] = d.Name
	}
	return out, nil
}

// OverdueHazardCounts returns, for each of the schools with any, how many
// of its hazards are past their deadline and not closed.
func (s *Store) OverdueHazardCounts(ctx context.Context, schoolIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(schoolIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		SchoolID int64
		N        int
	}
	err := s.r.WithContext(ctx).Raw(`SELECT school_id, COUNT(*) AS n FROM hazards
		WHERE school_id IN ? AND state <> ? AND deadline < ? GROUP BY school_id`,
		schoolIDs, string(model.HazardClosed), s.Today()).Scan(&rows).Error
	for _, r := range rows {
		out[r.SchoolID] = r.N
	}
	return out, err
}
