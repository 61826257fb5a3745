package store

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

// Keyed versions of the creates a phone may send twice: hazard answers and
// evidence uploads. Each takes the client's key (empty: not keyed) and
// reports whether the call was a repeat, so the caller can drop the files
// it saved for it.

// fileSums is what identifies uploaded files in a fingerprint.
func fileSums(files []EvidenceInput) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.SHA256 + " " + f.FileName
	}
	return out
}

// AnswerHazardOnce is AnswerHazard named by key: a repeat by the same user
// answers with the hazard as it now stands and records nothing; the same
// key with another answer or other files is ErrKeyReused.
func (s *Store) AnswerHazardOnce(ctx context.Context, actor model.User, id int64, answer string, files []EvidenceInput, key string) (_ model.Hazard, _ bool, err error) {
	defer wrap(&err, "answer hazard %d", id)
	once, err := newOneShot(actor, key, "hazard_answer", struct {
		Hazard int64
		Answer string
		Files  []string
	}{id, answerText(answer), fileSums(files)})
	if err != nil {
		return model.Hazard{}, false, err
	}
	if _, ok, err := s.earlier(ctx, once); ok || err != nil {
		if err != nil {
			return model.Hazard{}, false, err
		}
		h, err := s.Hazard(ctx, id)
		return h, true, err
	}
	answer, err = checkNote("answer", answer, true)
	if err != nil {
		return model.Hazard{}, false, err
	}
	var repeated bool
	st := s.answerStep(actor, answer, files)
	st.once, st.repeated = once, &repeated
	h, err := s.stepHazard(ctx, actor, id, st)
	return h, repeated, err
}

func answerText(a string) string {
	a, _ = checkNote("answer", a, false)
	return a
}

// AddChecklistEvidenceOnce is AddChecklistEvidence named by key. It
// returns the files this upload added (the first upload's, for a repeat).
func (s *Store) AddChecklistEvidenceOnce(ctx context.Context, actor model.User, checklistID int64, files []EvidenceInput, key string) (_ []model.Evidence, _ bool, err error) {
	defer wrap(&err, "add evidence to checklist %d", checklistID)
	once, err := newOneShot(actor, key, "checklist_evidence", struct {
		Checklist int64
		Files     []string
	}{checklistID, fileSums(files)})
	if err != nil {
		return nil, false, err
	}
	if out, ok, err := s.earlierEvidence(ctx, once); ok || err != nil {
		return out, ok, err
	}
	all, repeated, err := s.addChecklistEvidence(ctx, actor, checklistID, files, once)
	if err != nil || repeated {
		return all, repeated, err
	}
	return all[len(all)-len(files):], false, nil
}

// AddHazardEvidence attaches saved files to a hazard the school is still
// answering: an open hazard, or an answered one (the files join its latest
// answer). A closed hazard is ErrConflict. Named by key like the others.
func (s *Store) AddHazardEvidence(ctx context.Context, actor model.User, hazardID int64, files []EvidenceInput, key string) (_ []model.Evidence, _ bool, err error) {
	defer wrap(&err, "add evidence to hazard %d", hazardID)
	once, err := newOneShot(actor, key, "hazard_evidence", struct {
		Hazard int64
		Files  []string
	}{hazardID, fileSums(files)})
	if err != nil {
		return nil, false, err
	}
	if out, ok, err := s.earlierEvidence(ctx, once); ok || err != nil {
		return out, ok, err
	}
	var out []model.Evidence
	var prev idempotencyRow
	var repeated bool
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var h hazardRow
		if err := tx.Select("id, school_id, state").Where("id = ?", hazardID).Take(&h).Error; err != nil {
			return notFound(err)
		}
		var err error
		if prev, repeated, err = s.claim(tx, once); repeated || err != nil {
			return err
		}
		if err := requireOpenSchool(tx, h.SchoolID); err != nil {
			return err
		}
		// Touch the hazard so a concurrent close waits for the files.
		res := tx.Model(&hazardRow{}).Where("id = ? AND state IN ?", hazardID,
			[]string{string(model.HazardOpen), string(model.HazardAnswered)}).Update("state", gorm.Expr("state"))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrConflict
		}
		var eventID int64
		if h.State == string(model.HazardAnswered) {
			var ev hazardEventRow
			err := tx.Where("hazard_id = ? AND kind = ?", hazardID, string(model.HazardAnswer)).Order("id DESC").Take(&ev).Error
			if err == nil {
				eventID = ev.ID
			} else if err != gorm.ErrRecordNotFound {
				return err
			}
		}
		added, err := s.addEvidence(tx, actor, h.SchoolID, 0, hazardID, eventID, files)
		if err != nil {
			return err
		}
		out = evidenceModels(added)
		return s.settleEvidence(tx, once, added)
	})
	if err == nil && repeated {
		out, err = s.evidenceOf(ctx, prev)
	}
	return out, repeated, err
}

// settleEvidence records the ids of the files an upload added under its key.
func (s *Store) settleEvidence(tx *gorm.DB, once oneShot, added []evidenceRow) error {
	if !once.on() {
		return nil
	}
	if len(added) == 0 {
		return s.settle(tx, once, -1, "[]")
	}
	ids := make([]int64, len(added))
	for i, r := range added {
		ids[i] = r.ID
	}
	b, _ := json.Marshal(ids)
	return s.settle(tx, once, ids[0], string(b))
}

// earlierEvidence answers a repeated upload with the files its first
// upload added; ok is false for a key not seen before.
func (s *Store) earlierEvidence(ctx context.Context, once oneShot) (_ []model.Evidence, ok bool, err error) {
	prev, ok, err := s.earlier(ctx, once)
	if !ok || err != nil {
		return nil, false, err
	}
	out, err := s.evidenceOf(ctx, prev)
	return out, true, err
}

// evidenceOf returns the files a keyed upload added.
func (s *Store) evidenceOf(ctx context.Context, prev idempotencyRow) ([]model.Evidence, error) {
	var ids []int64
	if err := json.Unmarshal([]byte(prev.Result), &ids); err != nil {
		return nil, fmt.Errorf("store: idempotency result of key %q: %w", prev.IdemKey, err)
	}
	var rows []evidenceRow
	if err := s.r.WithContext(ctx).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: evidence of a repeated upload: %w", err)
	}
	return evidenceModels(rows), nil
}
