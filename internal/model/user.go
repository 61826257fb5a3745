package model

// Role is what a user may do; Scope says where.
type Role string

const (
	Admin     Role = "admin"
	Leader    Role = "leader"
	Inspector Role = "inspector"
	SchoolRep Role = "school" // a school's safety administrator
)

// Roles lists the roles.
var Roles = []Role{Admin, Leader, Inspector, SchoolRep}

// ParseRole reads a role name.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// User is a person who signs in. ScopeCode is a division code for leaders
// and inspectors, a school code for school users, and empty for admins.
type User struct {
	ID        int64
	Username  string
	Role      Role
	ScopeCode string
	Language  string // "zh-CN", "en", or "" to follow the browser
	Disabled  bool
	// MustChangePassword: an administrator reset the password; the user
	// must choose a new one before doing anything else.
	MustChangePassword bool
	// Email is where notifications are mailed ("" = not by e-mail);
	// EmailDigest gathers them into one mail a day instead of one each.
	Email       string
	EmailDigest bool
}

// CanReview reports whether the user may verify and return checklists,
// raise and close hazards.
func (u User) CanReview() bool { return u.Role == Admin || u.Role == Inspector }

// CanFill reports whether the user may fill in checklists.
func (u User) CanFill() bool { return u.Role == Admin || u.Role == SchoolRep }
