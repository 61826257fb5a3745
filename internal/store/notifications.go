package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"safecampus/internal/model"
)

type notificationRow struct {
	ID           int64 `gorm:"primaryKey"`
	UserID       int64
	Kind         string
	SubjectID    int64
	Stage        string
	SchoolID     *int64
	SchoolCode   string
	DivisionCode string
	Params       string
	CreatedAt    time.Time
	ReadAt       *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

func (r notificationRow) model() model.Notification {
	n := model.Notification{ID: r.ID, UserID: r.UserID, Kind: model.NotificationKind(r.Kind), SubjectID: r.SubjectID,
		Stage: r.Stage, SchoolCode: r.SchoolCode, DivisionCode: r.DivisionCode, CreatedAt: r.CreatedAt, Read: r.ReadAt != nil}
	_ = json.Unmarshal([]byte(r.Params), &n.Params)
	return n
}

// notice is one event to tell: a kind about a subject at a stage, about a
// school, to a set of recipients.
type notice struct {
	kind       model.NotificationKind
	subject    int64
	stage      string
	school     schoolRef
	params     map[string]any
	recipients []int64
}

// schoolRef is what a notification names of its school.
type schoolRef struct {
	ID       int64
	Code     string
	Name     string
	Division string
}

// createdNote is a notification that an insert actually created (not one
// that existed already), for the outbox.
type createdNote struct {
	ID, UserID int64
	kind       model.NotificationKind
	subject    int64
	stage      string
	school     schoolRef
}

// insertNotices writes the notices' notifications in tx, skipping any
// (kind, subject, stage, recipient) that exists, and queues the e-mails
// and webhook deliveries of those it created. It returns how many it
// created per kind.
func (s *Store) insertNotices(tx *gorm.DB, notices []notice) (map[model.NotificationKind]int, error) {
	counts := map[model.NotificationKind]int{}
	if len(notices) == 0 {
		return counts, nil
	}
	now := s.now().UTC()
	type pending struct {
		n    *notice
		user int64
	}
	var rows []pending
	seen := map[string]bool{}
	for i := range notices {
		n := &notices[i]
		for _, u := range n.recipients {
			if k := noticeKey(n.kind, n.subject, n.stage) + "\x00" + itoa(u); !seen[k] {
				seen[k] = true
				rows = append(rows, pending{n, u})
			}
		}
	}
	var created []createdNote
	const batch = 200
	for start := 0; start < len(rows); start += batch {
		part := rows[start:min(start+batch, len(rows))]
		var sb strings.Builder
		sb.WriteString("INSERT INTO notifications (user_id, kind, subject_id, stage, school_id, school_code, division_code, params, created_at) VALUES ")
		args := make([]any, 0, len(part)*9)
		for i, p := range part {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?)")
			params, _ := json.Marshal(p.n.params)
			var school *int64
			if p.n.school.ID != 0 {
				id := p.n.school.ID
				school = &id
			}
			args = append(args, p.user, string(p.n.kind), p.n.subject, p.n.stage, school, p.n.school.Code, p.n.school.Division, string(params), now)
		}
		sb.WriteString(" ON CONFLICT (kind, subject_id, stage, user_id) DO NOTHING RETURNING id, user_id, kind, subject_id, stage")
		var got []struct {
			ID, UserID int64
			Kind       string
			SubjectID  int64
			Stage      string
		}
		if err := tx.Raw(sb.String(), args...).Scan(&got).Error; err != nil {
			return nil, fmt.Errorf("store: insert notifications: %w", err)
		}
		byKey := map[string]*notice{}
		for _, p := range part {
			byKey[noticeKey(p.n.kind, p.n.subject, p.n.stage)] = p.n
		}
		for _, g := range got {
			n := byKey[noticeKey(model.NotificationKind(g.Kind), g.SubjectID, g.Stage)]
			if n == nil {
				continue
			}
			counts[n.kind]++
			created = append(created, createdNote{ID: g.ID, UserID: g.UserID, kind: n.kind, subject: n.subject, stage: n.stage, school: n.school})
		}
	}
	if len(created) > 0 {
		// Unread counts are cached per generation (UnreadCount).
		if err := s.bumpGeneration(tx); err != nil {
			return nil, err
		}
	}
	if err := s.queueDeliveries(tx, created); err != nil {
		return nil, err
	}
	return counts, nil
}

func noticeKey(kind model.NotificationKind, subject int64, stage string) string {
	return string(kind) + "\x00" + itoa(subject) + "\x00" + stage
}

// schoolUsers returns the ids of the enabled users of each school code.
func schoolUsers(tx *gorm.DB, codes []string) (map[string][]int64, error) {
	out := map[string][]int64{}
	for start := 0; start < len(codes); start += 500 {
		var rows []struct {
			ID        int64
			ScopeCode string
		}
		if err := tx.Table("users").Select("id, scope_code").
			Where("role = ? AND disabled = ? AND scope_code IN ?", string(model.SchoolRep), false, codes[start:min(start+500, len(codes))]).
			Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: school users: %w", err)
		}
		for _, r := range rows {
			out[r.ScopeCode] = append(out[r.ScopeCode], r.ID)
		}
	}
	return out, nil
}

// officials are the enabled inspectors and leaders with the divisions that
// hold their scope: who is told about which county.
type officials struct {
	users []officialUser
	// path maps a division code to its ancestors from itself up to the
	// province, with their levels.
	path   map[string][]model.Division
	byCode map[string]model.Division
}

type officialUser struct {
	ID        int64
	Role      model.Role
	ScopeCode string
}

func loadOfficials(tx *gorm.DB) (*officials, error) {
	var users []struct {
		ID        int64
		Role      string
		ScopeCode string
	}
	if err := tx.Table("users").Select("id, role, scope_code").
		Where("role IN ? AND disabled = ?", []string{string(model.Inspector), string(model.Leader)}, false).
		Scan(&users).Error; err != nil {
		return nil, fmt.Errorf("store: officials: %w", err)
	}
	var divs []divisionRow
	if err := tx.Find(&divs).Error; err != nil {
		return nil, fmt.Errorf("store: divisions: %w", err)
	}
	o := &officials{path: map[string][]model.Division{}, byCode: map[string]model.Division{}}
	for _, u := range users {
		o.users = append(o.users, officialUser{ID: u.ID, Role: model.Role(u.Role), ScopeCode: u.ScopeCode})
	}
	for _, d := range divs {
		o.byCode[d.Code] = d.model()
	}
	return o, nil
}

// ancestors returns code's division and its ancestors, nearest first.
func (o *officials) ancestors(code string) []model.Division {
	if p, ok := o.path[code]; ok {
		return p
	}
	var p []model.Division
	for c, n := code, 0; c != "" && n < 8; n++ {
		d, ok := o.byCode[c]
		if !ok {
			break
		}
		p = append(p, d)
		c = d.ParentCode
	}
	o.path[code] = p
	return p
}

// pick returns the users of role whose scope is one of codes.
func (o *officials) pick(role model.Role, codes map[string]bool) []int64 {
	var ids []int64
	for _, u := range o.users {
		if u.Role == role && codes[u.ScopeCode] {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

// countyInspectors are the inspectors whose scope is the county or an
// ancestor up to the prefecture.
func (o *officials) countyInspectors(county string) []int64 {
	codes := map[string]bool{}
	for _, d := range o.ancestors(county) {
		if d.Level != model.LevelProvince {
			codes[d.Code] = true
		}
	}
	return o.pick(model.Inspector, codes)
}

// escalationRecipients are the inspectors and leaders whose scope is the
// county's parent division.
func (o *officials) escalationRecipients(county string) []int64 {
	d, ok := o.byCode[county]
	if !ok || d.ParentCode == "" {
		return nil
	}
	codes := map[string]bool{d.ParentCode: true}
	return append(o.pick(model.Inspector, codes), o.pick(model.Leader, codes)...)
}

// loadSchoolRef reads what a notification names of a school.
func loadSchoolRef(tx *gorm.DB, schoolID int64) (schoolRef, error) {
	var r schoolRow
	if err := tx.Select("id, code, name, division_code").Where("id = ?", schoolID).Take(&r).Error; err != nil {
		return schoolRef{}, notFound(err)
	}
	return schoolRef{ID: r.ID, Code: r.Code, Name: r.Name, Division: r.DivisionCode}, nil
}

// notifyEvent tells the recipients of an event kind about it, in the
// event's transaction.
func (s *Store) notifyEvent(tx *gorm.DB, kind model.NotificationKind, subject, schoolID int64, params map[string]any) error {
	ref, err := loadSchoolRef(tx, schoolID)
	if err != nil {
		return err
	}
	if params == nil {
		params = map[string]any{}
	}
	params["school"] = ref.Name
	n := notice{kind: kind, subject: subject, school: ref, params: params}
	switch kind {
	case model.KindChecklistReturned, model.KindHazardRaised:
		users, err := schoolUsers(tx, []string{ref.Code})
		if err != nil {
			return err
		}
		n.recipients = users[ref.Code]
	case model.KindHazardAnswered:
		o, err := loadScopeInspectors(tx, ref.Division)
		if err != nil {
			return err
		}
		n.recipients = o
	default:
		return fmt.Errorf("store: %s is not an event kind", kind)
	}
	_, err = s.insertNotices(tx, []notice{n})
	return err
}

// loadScopeInspectors reads the enabled inspectors whose scope holds the
// county, in one indexed query.
func loadScopeInspectors(tx *gorm.DB, county string) ([]int64, error) {
	var ids []int64
	err := tx.Table("users").Where("role = ? AND disabled = ? AND scope_code IN (SELECT ancestor_code FROM division_closure WHERE descendant_code = ?)",
		string(model.Inspector), false, county).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: inspectors of %s: %w", county, err)
	}
	return ids, nil
}

// NotificationQuery selects a user's notifications.
type NotificationQuery struct {
	UserID     int64
	UnreadOnly bool
	Limit      int
	Offset     int
}

// Notifications returns the user's notifications, newest first, and how
// many are unread.
func (s *Store) Notifications(ctx context.Context, q NotificationQuery) ([]model.Notification, int64, error) {
	unread, err := s.UnreadCount(ctx, q.UserID)
	if err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	db := s.r.WithContext(ctx).Where("user_id = ?", q.UserID)
	if q.UnreadOnly {
		db = db.Where("read_at IS NULL")
	}
	var rows []notificationRow
	if err := db.Order("id DESC").Limit(q.Limit).Offset(q.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: notifications: %w", err)
	}
	out := make([]model.Notification, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, unread, nil
}

// UnreadCount is how many of the user's notifications are unread: the
// bell's number, read on every page through an index.
func (s *Store) UnreadCount(ctx context.Context, userID int64) (int64, error) {
	// A hot read: every page's layout shows the count. Creating and
	// reading notifications bump the generation.
	gen, err := s.Generation(ctx)
	if err != nil {
		return 0, err
	}
	key := itoa(userID)
	if n, ok := s.hot.unread.get(gen, key); ok {
		return n, nil
	}
	var n int64
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", []any{userID}, &n); err != nil {
		return 0, fmt.Errorf("store: unread notifications: %w", err)
	}
	s.hot.unread.put(gen, key, n)
	return n, nil
}

// MarkNotificationRead marks one of the user's notifications read. Another
// user's notification is ErrNotFound.
func (s *Store) MarkNotificationRead(ctx context.Context, userID, id int64) error {
	return s.transact(ctx, func(tx *gorm.DB) error {
		var r notificationRow
		if err := tx.Select("id, read_at").Where("id = ? AND user_id = ?", id, userID).Take(&r).Error; err != nil {
			return notFound(err)
		}
		if r.ReadAt != nil {
			return nil
		}
		if err := tx.Model(&notificationRow{}).Where("id = ?", id).Update("read_at", s.now().UTC()).Error; err != nil {
			return err
		}
		return s.bumpGeneration(tx)
	})
}

// MarkAllNotificationsRead marks every unread notification of the user
// read and returns how many.
func (s *Store) MarkAllNotificationsRead(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.transact(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&notificationRow{}).Where("user_id = ? AND read_at IS NULL", userID).Update("read_at", s.now().UTC())
		if n = res.RowsAffected; res.Error != nil || n == 0 {
			return res.Error
		}
		return s.bumpGeneration(tx)
	})
	return n, err
}

// hazardParams are what a hazard's notifications say of it.
func hazardParams(h hazardRow) map[string]any {
	desc := []rune(h.Description)
	if len(desc) > 120 {
		desc = append(desc[:120], '…')
	}
	return map[string]any{"deadline": h.Deadline.String(), "measure": h.Measure, "description": string(desc)}
}
