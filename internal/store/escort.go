package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"safecampus/internal/model"
)

// ErrCheckedIn is a second check-in for the same post, day and session.
var ErrCheckedIn = errors.New("this post already has a check-in for this session today")

type escortPostRow struct {
	ID           int64 `gorm:"primaryKey"`
	DivisionCode string
	Name         string
	CreatedBy    *int64
	CreatedAt    time.Time
}

func (escortPostRow) TableName() string { return "escort_posts" }

type escortPostSchoolRow struct {
	PostID   int64 `gorm:"primaryKey"`
	SchoolID int64 `gorm:"primaryKey"`
}

func (escortPostSchoolRow) TableName() string { return "escort_post_schools" }

type checkInRow struct {
	ID             int64 `gorm:"primaryKey"`
	PostID         int64
	Day            model.Date
	Session        string
	PoliceOfficers int
	Staff          int
	CreatedBy      *int64
	Creator        string
	CreatedAt      time.Time
}

func (checkInRow) TableName() string { return "escort_check_ins" }

func (r checkInRow) model() model.CheckIn {
	return model.CheckIn{ID: r.ID, PostID: r.PostID, Day: r.Day, Session: model.Session(r.Session),
		PoliceOfficers: r.PoliceOfficers, Staff: r.Staff, CreatedBy: r.Creator, CreatedAt: r.CreatedAt}
}

type calendarRow struct {
	Day       model.Date `gorm:"primaryKey"`
	SchoolDay bool
	Note      string
}

func (calendarRow) TableName() string { return "calendar_days" }

// CreateEscortPost sets up a post of a county serving schools of that
// county's subtree. A division that is not a county, an unknown school or
// one outside the county are model.FieldErrors.
func (s *Store) CreateEscortPost(ctx context.Context, actor model.User, in model.EscortPostInput) (_ model.EscortPost, err error) {
	defer wrap(&err, "create escort post in %s", in.DivisionCode)
	errs := in.Validate()
	var row escortPostRow
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var d divisionRow
		switch err := tx.Where("code = ?", in.DivisionCode).Take(&d).Error; {
		case errors.Is(err, gorm.ErrRecordNotFound):
			errs = append(errs, model.NewFieldError("division_code", "division_unknown", map[string]any{"Code": in.DivisionCode},
				"division %s does not exist", in.DivisionCode))
		case err != nil:
			return err
		case d.Level != string(model.LevelCounty):
			errs = append(errs, model.NewFieldError("division_code", "division_not_county", map[string]any{"Code": d.Code, "Name": d.Name},
				"%s (%s) is not a county-level division", d.Code, d.Name))
		}
		ids := make([]int64, 0, len(in.Schools))
		seen := map[string]bool{}
		for _, code := range in.Schools {
			if seen[code] {
				continue
			}
			seen[code] = true
			var sc schoolRow
			err := tx.Where("code = ? AND division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)",
				code, in.DivisionCode).Take(&sc).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				errs = append(errs, model.NewFieldError("schools", "school_not_in_county", map[string]any{"Code": code, "County": in.DivisionCode},
					"school %s is not a school of division %s", code, in.DivisionCode))
				continue
			} else if err != nil {
				return err
			}
			ids = append(ids, sc.ID)
		}
		if len(errs) > 0 {
			return errs
		}
		row = escortPostRow{DivisionCode: in.DivisionCode, Name: in.Name, CreatedBy: actorID(actor), CreatedAt: s.now().UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.Create(&escortPostSchoolRow{PostID: row.ID, SchoolID: id}).Error; err != nil {
				return err
			}
		}
		return s.audit(tx, actor, "create", "escort_post", itoa(row.ID), row.DivisionCode, nil,
			map[string]any{"name": row.Name, "division_code": row.DivisionCode, "schools": in.Schools})
	})
	if err != nil {
		return model.EscortPost{}, err
	}
	return s.EscortPost(ctx, row.ID)
}

// EscortPost returns a post with the codes of the schools it serves.
func (s *Store) EscortPost(ctx context.Context, id int64) (_ model.EscortPost, err error) {
	defer wrap(&err, "escort post %d", id)
	var r escortPostRow
	if err := s.r.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return model.EscortPost{}, notFound(err)
	}
	posts, err := s.withSchools(ctx, []escortPostRow{r})
	if err != nil {
		return model.EscortPost{}, err
	}
	return posts[0], nil
}

// EscortPosts lists the posts of a division's subtree by name.
func (s *Store) EscortPosts(ctx context.Context, under string) (_ []model.EscortPost, err error) {
	defer wrap(&err, "escort posts of %s", under)
	var rows []escortPostRow
	if err := s.r.WithContext(ctx).Where("division_code IN (SELECT descendant_code FROM division_closure WHERE ancestor_code = ?)", under).
		Order("name, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.withSchools(ctx, rows)
}

// withSchools turns post rows into models with their schools' codes.
func (s *Store) withSchools(ctx context.Context, rows []escortPostRow) ([]model.EscortPost, error) {
	out := make([]model.EscortPost, len(rows))
	index := map[int64]int{}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = model.EscortPost{ID: r.ID, DivisionCode: r.DivisionCode, Name: r.Name, CreatedAt: r.CreatedAt, Schools: []string{}}
		index[r.ID] = i
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var served []struct {
		PostID int64
		Code   string
	}
	if err := s.r.WithContext(ctx).Table("escort_post_schools ps").Joins("JOIN schools s ON s.id = ps.school_id").
		Where("ps.post_id IN ?", ids).Order("s.code").Select("ps.post_id, s.code").Scan(&served).Error; err != nil {
		return nil, err
	}
	for _, sv := range served {
		i := index[sv.PostID]
		out[i].Schools = append(out[i].Schools, sv.Code)
	}
	return out, nil
}

// CheckIn records who is present at a post in a session of today (in the
// deployment's zone). A second check-in for the same session is
// ErrCheckedIn.
func (s *Store) CheckIn(ctx context.Context, actor model.User, postID int64, in model.CheckInInput) (_ model.CheckIn, err error) {
	defer wrap(&err, "check in at escort post %d", postID)
	if errs := in.Validate(); len(errs) > 0 {
		return model.CheckIn{}, errs
	}
	row := checkInRow{PostID: postID, Day: s.Today(), Session: string(in.Session), PoliceOfficers: in.PoliceOfficers, Staff: in.Staff,
		CreatedBy: actorID(actor), Creator: actor.Username, CreatedAt: s.now().UTC()}
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var post escortPostRow
		if err := tx.Where("id = ?", postID).Take(&post).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ErrCheckedIn
			}
			return err
		}
		return s.audit(tx, actor, "create", "escort_check_in", itoa(row.ID), post.DivisionCode, nil,
			map[string]any{"post": post.ID, "day": row.Day, "session": row.Session, "police_officers": row.PoliceOfficers, "staff": row.Staff})
	})
	return row.model(), err
}

// PostCheckIns returns a post's latest check-ins, newest first.
func (s *Store) PostCheckIns(ctx context.Context, postID int64, limit int) (_ []model.CheckIn, err error) {
	defer wrap(&err, "check-ins of escort post %d", postID)
	var rows []checkInRow
	if err := s.r.WithContext(ctx).Where("post_id = ?", postID).Order("day DESC, session DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]model.CheckIn, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// PostServesSchool reports whether a post serves the school with a code.
func (s *Store) PostServesSchool(ctx context.Context, postID int64, schoolCode string) (_ bool, err error) {
	defer wrap(&err, "does escort post %d serve %s", postID, schoolCode)
	var n int64
	err = s.r.WithContext(ctx).Table("escort_post_schools ps").Joins("JOIN schools s ON s.id = ps.school_id").
		Where("ps.post_id = ? AND s.code = ?", postID, schoolCode).Count(&n).Error
	return n > 0, err
}

// CalendarDays lists the deployment calendar's entries from one day to
// another, inclusive.
func (s *Store) CalendarDays(ctx context.Context, from, to model.Date) (_ []model.CalendarDay, err error) {
	defer wrap(&err, "calendar from %s to %s", from, to)
	var rows []calendarRow
	if err := s.r.WithContext(ctx).Where("day >= ? AND day <= ?", from, to).Order("day").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]model.CalendarDay, len(rows))
	for i, r := range rows {
		out[i] = model.CalendarDay{Day: r.Day, SchoolDay: r.SchoolDay, Note: r.Note}
	}
	return out, nil
}

// SetCalendarDay makes a day a holiday or a make-up school day.
func (s *Store) SetCalendarDay(ctx context.Context, actor model.User, d model.CalendarDay) (err error) {
	defer wrap(&err, "set calendar day %s", d.Day)
	if d.Day == 0 {
		return model.FieldErrors{model.NewFieldError("day", "required", nil, "day is required")}
	}
	row := calendarRow{Day: d.Day, SchoolDay: d.SchoolDay, Note: d.Note}
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "day"}}, UpdateAll: true}).Create(&row).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "calendar_day", row.Day.String(), "", nil,
			map[string]any{"day": row.Day, "school_day": row.SchoolDay, "note": row.Note})
	})
}

// DeleteCalendarDay removes a day from the calendar: it follows the week again.
func (s *Store) DeleteCalendarDay(ctx context.Context, actor model.User, day model.Date) (err error) {
	defer wrap(&err, "delete calendar day %s", day)
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("day = ?", day).Delete(&calendarRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return s.audit(tx, actor, "delete", "calendar_day", day.String(), "", map[string]any{"day": day}, nil)
	})
}

// schoolDays lists the school days from one day to another, inclusive.
func (s *Store) schoolDays(ctx context.Context, from, to model.Date) ([]model.Date, error) {
	entries, err := s.CalendarDays(ctx, from, to)
	if err != nil {
		return nil, err
	}
	cal := map[model.Date]bool{}
	for _, e := range entries {
		cal[e.Day] = e.SchoolDay
	}
	var out []model.Date
	for d := from; d <= to; d++ {
		if model.IsSchoolDay(d, cal) {
			out = append(out, d)
		}
	}
	return out, nil
}

// Presence is police presence at the posts of a division and of each of
// its children from one day to another, inclusive: sessions are posts ×
// school days × 2, counted with police when a check-in has at least one
// officer.
func (s *Store) Presence(ctx context.Context, code string, from, to model.Date) (_ model.Presence, _ []model.Presence, err error) {
	defer wrap(&err, "escort presence of %s from %s to %s", code, from, to)
	d, err := s.Division(ctx, code)
	if err != nil {
		return model.Presence{}, nil, err
	}
	children, err := s.Children(ctx, code)
	if err != nil {
		return model.Presence{}, nil, err
	}
	days, err := s.schoolDays(ctx, from, to)
	if err != nil {
		return model.Presence{}, nil, err
	}
	all := append([]model.Division{d}, children...)
	codes := make([]string, len(all))
	for i, a := range all {
		codes[i] = a.Code
	}
	// Each post once per ancestor among the division and its children.
	var posts []struct {
		ID           int64
		AncestorCode string
	}
	if err := s.r.WithContext(ctx).Table("escort_posts p").Joins("JOIN division_closure c ON c.descendant_code = p.division_code").
		Where("c.ancestor_code IN ?", codes).Select("p.id, c.ancestor_code").Scan(&posts).Error; err != nil {
		return model.Presence{}, nil, err
	}
	withPolice := map[int64]int{}
	if len(days) > 0 {
		var counts []struct {
			PostID int64
			N      int
		}
		under := s.r.Table("escort_posts p").Joins("JOIN division_closure c ON c.descendant_code = p.division_code").
			Where("c.ancestor_code = ?", code).Select("p.id")
		dayValues := make([]any, len(days))
		for i, day := range days {
			dayValues[i] = day
		}
		if err := s.r.WithContext(ctx).Table("escort_check_ins").Where("police_officers >= 1 AND day IN ? AND post_id IN (?)", dayValues, under).
			Group("post_id").Select("post_id, COUNT(*) AS n").Scan(&counts).Error; err != nil {
			return model.Presence{}, nil, err
		}
		for _, c := range counts {
			withPolice[c.PostID] = c.N
		}
	}
	out := make(map[string]*model.Presence, len(all))
	for _, a := range all {
		out[a.Code] = &model.Presence{Division: a}
	}
	for _, p := range posts {
		pr := out[p.AncestorCode]
		pr.Posts++
		pr.Sessions += len(days) * len(model.Sessions)
		pr.WithPolice += withPolice[p.ID]
	}
	kids := make([]model.Presence, len(children))
	for i, ch := range children {
		kids[i] = *out[ch.Code]
	}
	return *out[code], kids, nil
}

// MissedSessions lists the school-day sessions from one day to another
// at the posts of a division that had no police, oldest first, at most
// limit of them.
func (s *Store) MissedSessions(ctx context.Context, code string, from, to model.Date, limit int) (_ []model.MissedSession, err error) {
	defer wrap(&err, "missed escort sessions of %s from %s to %s", code, from, to)
	days, err := s.schoolDays(ctx, from, to)
	if err != nil {
		return nil, err
	}
	posts, err := s.EscortPosts(ctx, code)
	if err != nil || len(posts) == 0 || len(days) == 0 {
		return nil, err
	}
	ids := make([]int64, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	var rows []checkInRow
	if err := s.r.WithContext(ctx).Where("post_id IN ? AND day >= ? AND day <= ?", ids, from, to).Find(&rows).Error; err != nil {
		return nil, err
	}
	type key struct {
		post int64
		day  model.Date
		s    string
	}
	seen := map[key]checkInRow{}
	for _, r := range rows {
		seen[key{r.PostID, r.Day, r.Session}] = r
	}
	var out []model.MissedSession
	for _, day := range days {
		for _, p := range posts {
			for _, sess := range model.Sessions {
				r, ok := seen[key{p.ID, day, string(sess)}]
				if ok && r.PoliceOfficers >= 1 {
					continue
				}
				if len(out) == limit {
					return out, nil
				}
				out = append(out, model.MissedSession{PostID: p.ID, PostName: p.Name, Day: day, Session: sess, Staff: r.Staff, Checked: ok})
			}
		}
	}
	return out, nil
}

// SchoolEscortPosts lists the posts serving a school, by name.
func (s *Store) SchoolEscortPosts(ctx context.Context, schoolID int64) (_ []model.EscortPost, err error) {
	defer wrap(&err, "escort posts of school %d", schoolID)
	var rows []escortPostRow
	if err := s.r.WithContext(ctx).Where("id IN (SELECT post_id FROM escort_post_schools WHERE school_id = ?)", schoolID).
		Order("name, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.withSchools(ctx, rows)
}
