package store

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// The audit log's JSON, written without reflection for the shapes a bulk
// write produces by the hundred thousand (the roster import: a school
// record per entry, and the chain's field list per entry). The bytes are
// exactly encoding/json's, so entries and hashes are the same as before
// (TestAuditJSONMatchesEncodingJSON); anything else goes to encoding/json.

// auditValue is v as an audit entry stores it: JSON, or "" for nil.
func auditValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case schoolRecord:
		return string(v.appendJSON(make([]byte, 0, 256)))
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// appendJSON writes the record as json.Marshal does.
func (r schoolRecord) appendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"ID":`...), r.ID, 10)
	b = appendJSONString(append(b, `,"Code":`...), r.Code)
	b = appendJSONString(append(b, `,"Name":`...), r.Name)
	b = appendJSONString(append(b, `,"Type":`...), r.Type)
	b = appendJSONString(append(b, `,"DivisionCode":`...), r.DivisionCode)
	b = appendJSONString(append(b, `,"Address":`...), r.Address)
	b = strconv.AppendInt(append(b, `,"Students":`...), int64(r.Students), 10)
	b = strconv.AppendInt(append(b, `,"Boarders":`...), int64(r.Boarders), 10)
	b = appendJSONString(append(b, `,"PoliceStation":`...), r.PoliceStation)
	b = appendJSONString(append(b, `,"Ownership":`...), r.Ownership)
	b = strconv.AppendBool(append(b, `,"Active":`...), r.Active)
	return append(b, '}')
}

// appendJSONStrings writes ss as json.Marshal writes a []string.
func appendJSONStrings(b []byte, ss ...string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString writes s as json.Marshal writes a string: as it is
// between quotes when encoding/json would escape nothing in it, else by
// encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	if !jsonPlain(s) {
		q, _ := json.Marshal(s)
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain reports whether encoding/json writes s unchanged: no control
// character, quote, backslash or HTML character (<, >, &), no invalid
// UTF-8, and neither U+2028 nor U+2029.
func jsonPlain(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}
