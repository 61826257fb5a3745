//go:build cgo

package store

/*
#include <stdint.h>

// The few functions of SQLite's C API that a bulk insert needs. They are
// not compiled here: they are the ones mattn/go-sqlite3 links into every
// binary that uses it (its amalgamation). Declared weak so that cgo's own
// trial link of this package, which has no SQLite in it, leaves them
// unresolved instead of failing; in the program's link they resolve to
// the driver's. sc_bulk_ready reports whether they did.
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
extern int sqlite3_bind_null(sqlite3_stmt*, int) __attribute__((weak));
extern int sqlite3_bind_int64(sqlite3_stmt*, int, int64_t) __attribute__((weak));
extern int sqlite3_bind_double(sqlite3_stmt*, int, double) __attribute__((weak));
extern int sqlite3_bind_text(sqlite3_stmt*, int, const char*, int, void(*)(void*)) __attribute__((weak));
extern int sqlite3_bind_blob(sqlite3_stmt*, int, const void*, int, void(*)(void*)) __attribute__((weak));
extern int sqlite3_step(sqlite3_stmt*) __attribute__((weak));
extern int sqlite3_reset(sqlite3_stmt*) __attribute__((weak));
extern int sqlite3_clear_bindings(sqlite3_stmt*) __attribute__((weak));
extern sqlite3 *sqlite3_db_handle(sqlite3_stmt*) __attribute__((weak));
extern const char *sqlite3_errmsg(sqlite3*) __attribute__((weak));
extern int sqlite3_extended_errcode(sqlite3*) __attribute__((weak));

#define SC_SQLITE_OK 0
#define SC_SQLITE_DONE 101
#define SC_SQLITE_STATIC ((void(*)(void*))0)

// One bound value, as bulkValue in Go: kind (0 NULL, 1 integer, 2 float
// with its bits in i, 3 text, 4 blob), and for text and blob its length n
// and its offset i in the batch's byte buffer.
typedef struct {
	int32_t kind;
	int32_t n;
	int64_t i;
} sc_value;

static int sc_bulk_ready(void) {
	return sqlite3_bind_null && sqlite3_bind_int64 && sqlite3_bind_double && sqlite3_bind_text &&
		sqlite3_bind_blob && sqlite3_step && sqlite3_reset && sqlite3_clear_bindings &&
		sqlite3_db_handle && sqlite3_errmsg && sqlite3_extended_errcode;
}

static int sc_bind(sqlite3_stmt *st, int col, const sc_value *v, const char *bytes) {
	// Never a NULL pointer for text or a blob: SQLite would bind NULL.
	static const char empty[1] = "";
	const char *p = v->n > 0 ? bytes + v->i : empty;
	switch (v->kind) {
	case 1: return sqlite3_bind_int64(st, col, v->i);
	case 2: { double d; __builtin_memcpy(&d, &v->i, sizeof d); return sqlite3_bind_double(st, col, d); }
	case 3: return sqlite3_bind_text(st, col, p, v->n, SC_SQLITE_STATIC);
	case 4: return sqlite3_bind_blob(st, col, p, v->n, SC_SQLITE_STATIC);
	default: return sqlite3_bind_null(st, col);
	}
}

// sc_insert binds n values to the prepared statement st and steps it
// once. Text and blobs are bound without a copy (SQLite copies them into
// its records as it steps), and every binding is cleared before
// returning, so that SQLite keeps no pointer into Go's memory. It returns
// SQLITE_OK or the error's code.
static int sc_insert(sqlite3_stmt *st, int n, const sc_value *vals, const char *bytes) {
	int rc = SC_SQLITE_OK;
	for (int i = 0; i < n && rc == SC_SQLITE_OK; i++) {
		rc = sc_bind(st, i + 1, &vals[i], bytes);
	}
	if (rc == SC_SQLITE_OK) {
		rc = sqlite3_step(st);
		rc = rc == SC_SQLITE_DONE ? SC_SQLITE_OK : sqlite3_extended_errcode(sqlite3_db_handle(st));
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static const char *sc_errmsg(sqlite3_stmt *st) { return sqlite3_errmsg(sqlite3_db_handle(st)); }
*/
import "C"

import (
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"github.com/mattn/go-sqlite3"
)

// bulkStep binds and steps a whole batch of rows in one call into C, on a
// statement mattn/go-sqlite3 prepared (see bulkValues). Through the driver
// each value was a cgo call of its own and a copy: 5 million of them for
// 100,000 schools (README, Performance).
type bulkStep struct {
	stmt *C.sqlite3_stmt
}

// newBulkStep reaches the SQLite statement inside the driver's prepared
// statement st. The driver does not export it, so this reads its field by
// reflection; a driver whose statement has no such field (a new version)
// gives false, and the caller binds through the driver as before.
func newBulkStep(st any) (bulkStep, bool) {
	if _, ok := st.(*sqlite3.SQLiteStmt); !ok || C.sc_bulk_ready() == 0 {
		return bulkStep{}, false
	}
	f := reflect.ValueOf(st).Elem().FieldByName("s")
	if !f.IsValid() || f.Kind() != reflect.Pointer || !strings.HasSuffix(f.Type().Elem().Name(), "sqlite3_stmt") || f.IsNil() {
		return bulkStep{}, false
	}
	return bulkStep{stmt: (*C.sqlite3_stmt)(f.UnsafePointer())}, true
}

// insert binds v to the statement, which has as many parameters, and
// runs it.
func (b bulkStep) insert(v *bulkValues) error {
	if len(v.vals) == 0 {
		return nil
	}
	var bytes *C.char
	if len(v.bytes) > 0 {
		bytes = (*C.char)(unsafe.Pointer(&v.bytes[0]))
	}
	rc := C.sc_insert(b.stmt, C.int(len(v.vals)), (*C.sc_value)(unsafe.Pointer(&v.vals[0])), bytes)
	if rc == 0 {
		return nil
	}
	e := sqlite3.Error{Code: sqlite3.ErrNo(rc & 0xff), ExtendedCode: sqlite3.ErrNoExtended(rc)}
	return fmt.Errorf("%w: %s", e, C.GoString(C.sc_errmsg(b.stmt)))
}

// The layout bulkValue shares with sc_value.
var _ = [1]struct{}{}[unsafe.Sizeof(bulkValue{})-unsafe.Sizeof(C.sc_value{})]
