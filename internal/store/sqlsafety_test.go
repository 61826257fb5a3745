package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sqlTextMethods are the GORM methods whose first argument is SQL text (a
// condition, a column list, an order, a table, a whole statement).
var sqlTextMethods = map[string]bool{
	"Where": true, "Or": true, "Not": true, "Having": true, "Order": true, "Group": true,
	"Select": true, "Omit": true, "Distinct": true, "Joins": true, "InnerJoins": true,
	"Raw": true, "Exec": true, "Table": true, "Pluck": true, "Update": true, "UpdateColumn": true,
}

// plainSQLMethods are the store's own plain-SQL helpers on the write path
// (writestmts.go), by the index of their SQL text argument; groupRows is a
// function, the others methods.
var plainSQLMethods = map[string]int{"execW": 1, "queryRowW": 1, "groupRowsOfIDs": 1, "groupRows": 2}

// safeSources are expressions whose elements are fixed by the program, so
// a range over them yields safe SQL text.
// The bulk tables' column lists are constant names; the checklist states
// are constants of the model.
var safeSources = map[string]bool{"model.Measures": true, "coverageTable.cols": true, "schoolTable.cols": true, "checklistTable.cols": true,
	"model.Submitted": true, "model.Verified": true}

// safeFuncs return SQL text from an allow-list.
// byDrillGroup returns a condition built by calls this test checks.
// cacheSizePragma splices in an integer only.
var safeFuncs = map[string]bool{"coverageColumn": true, "activeOn": true, "newestFirst": true, "perKind": true, "byDrillGroup": true,
	"cacheSizePragma": true}

// TestSQLTextIsNeverFromARequest reads the store's source: every call into
// GORM that takes SQL text (Where, Order, Raw, Exec, ...) must be given a
// constant, text built only from constants, or a column from the
// allow-list in columns.go. Values from requests go in as ? parameters. A
// new query that splices in anything else fails here until it goes through
// an allow-list.
func TestSQLTextIsNeverFromARequest(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	consts := map[string]bool{}
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, spec := range g.Specs {
					for _, n := range spec.(*ast.ValueSpec).Names {
						consts[n.Name] = true
					}
				}
			}
		}
	}
	calls := 0
	for _, f := range parsed {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			c := sqlChecker{consts: consts, body: fn.Body}
			if _, helper := plainSQLMethods[fn.Name.Name]; helper {
				// A helper handing its SQL text on to another: its own
				// callers are checked.
				c.params = fn.Type.Params
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				var name string
				switch fun := call.Fun.(type) {
				case *ast.SelectorExpr:
					if isPackage(fun.X, "cmp") {
						return true // cmp.Or is the standard library's, not GORM's
					}
					name = fun.Sel.Name
				case *ast.Ident: // a plain-SQL helper that is a function
					if _, plain := plainSQLMethods[fun.Name]; !plain {
						return true
					}
					name = fun.Name
				default:
					return true
				}
				arg, plain := plainSQLMethods[name]
				if !plain && !sqlTextMethods[name] {
					return true
				}
				calls++
				if arg >= len(call.Args) || !c.safe(call.Args[arg], 0) {
					t.Errorf("%s: %s(%s) in %s takes SQL text that is not constant nor from an allow-list",
						fset.Position(call.Pos()), name, exprString(fset, call.Args[min(arg, len(call.Args)-1)]), fn.Name.Name)
				}
				return true
			})
		}
	}
	if calls < 50 {
		t.Fatalf("found only %d GORM calls taking SQL text; has the store's shape changed?", calls)
	}
}

// sqlChecker decides whether an expression inside one function body is
// safe SQL text.
type sqlChecker struct {
	consts map[string]bool
	body   *ast.BlockStmt
	params *ast.FieldList // a plain-SQL helper's, whose text its callers give
}

func (c sqlChecker) safe(e ast.Expr, depth int) bool {
	if depth > 20 {
		return false
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.STRING
	case *ast.ParenExpr:
		return c.safe(e.X, depth+1)
	case *ast.BinaryExpr:
		return e.Op == token.ADD && c.safe(e.X, depth+1) && c.safe(e.Y, depth+1)
	case *ast.FuncLit:
		// sql.Conn.Raw takes a function, no SQL text; the statements the
		// import's driver path prepares are insertSQL's, built from the
		// bulk tables' constant names.
		return true
	case *ast.CompositeLit, *ast.UnaryExpr:
		// A struct, map or slice literal: GORM takes the column names from
		// the Go field names or the literal's own constant keys.
		return true
	case *ast.Ident:
		return c.consts[e.Name] || c.helperParam(e.Name) || c.safeLocal(e.Name, depth+1)
	case *ast.SelectorExpr:
		return safeSources[exprName(e)]
	case *ast.IndexExpr:
		return safeSources[exprName(e.X)]
	case *ast.CallExpr:
		switch fun := e.Fun.(type) {
		case *ast.Ident:
			if safeFuncs[fun.Name] {
				return true
			}
			if fun.Name == "string" && len(e.Args) == 1 { // a conversion
				return c.safe(e.Args[0], depth+1)
			}
		case *ast.SelectorExpr:
			if sqlTextMethods[fun.Sel.Name] {
				// A grouped condition (db.Where(...).Or(...)) is no SQL text
				// of its own: each call in it is checked where it stands.
				return true
			}
			if exprName(fun) == "strings.Join" && len(e.Args) == 2 {
				return c.safeRange(e.Args[0], depth+1) && c.safe(e.Args[1], depth+1)
			}
			if exprName(fun) == "fmt.Sprintf" {
				for _, a := range e.Args {
					if !c.safe(a, depth+1) {
						return false
					}
				}
				return true
			}
			if fun.Sel.Name == "String" { // a strings.Builder: safe if all it was given is
				if id, ok := fun.X.(*ast.Ident); ok {
					return c.safeBuilder(id.Name, depth+1)
				}
			}
		}
	}
	return false
}

// helperParam: a parameter of the plain-SQL helper being checked.
func (c sqlChecker) helperParam(name string) bool {
	if c.params == nil {
		return false
	}
	for _, f := range c.params.List {
		for _, n := range f.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

// safeLocal: a variable of the function whose every assignment is safe.
// Parameters and variables assigned nowhere in the body are not.
func (c sqlChecker) safeLocal(name string, depth int) bool {
	assigned, ok := false, true
	ast.Inspect(c.body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			for i, l := range s.Lhs {
				if id, isID := l.(*ast.Ident); isID && id.Name == name {
					assigned = true
					if len(s.Rhs) == len(s.Lhs) {
						ok = ok && c.safe(s.Rhs[i], depth)
					} else if len(s.Rhs) == 1 && i == 0 {
						// col, ok := coverageColumn(...)
						ok = ok && c.safe(s.Rhs[0], depth)
					} else {
						ok = false
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range s.Names {
				if id.Name == name && i < len(s.Values) {
					assigned = true
					ok = ok && c.safe(s.Values[i], depth)
				}
			}
		case *ast.RangeStmt:
			if id, isID := s.Value.(*ast.Ident); isID && id.Name == name {
				assigned = true
				ok = ok && c.safeRange(s.X, depth)
			}
		}
		return true
	})
	return assigned && ok
}

// safeRange: ranging over a literal list of safe elements or a safe source.
func (c sqlChecker) safeRange(x ast.Expr, depth int) bool {
	if lit, ok := x.(*ast.CompositeLit); ok {
		for _, el := range lit.Elts {
			if !c.safe(el, depth+1) {
				return false
			}
		}
		return true
	}
	return safeSources[exprName(x)]
}

// safeBuilder: every WriteString call on the builder is given safe text.
func (c sqlChecker) safeBuilder(name string, depth int) bool {
	ok := true
	ast.Inspect(c.body, func(n ast.Node) bool {
		call, isCall := n.(*ast.CallExpr)
		if !isCall {
			return true
		}
		if sel, isSel := call.Fun.(*ast.SelectorExpr); isSel && exprName(sel.X) == name && strings.HasPrefix(sel.Sel.Name, "Write") {
			for _, a := range call.Args {
				ok = ok && c.safe(a, depth)
			}
		}
		return true
	})
	return ok
}

func exprName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprName(e.X) + "." + e.Sel.Name
	}
	return ""
}

func exprString(fset *token.FileSet, e ast.Expr) string {
	var b strings.Builder
	pos, end := fset.Position(e.Pos()), fset.Position(e.End())
	src, err := os.ReadFile(pos.Filename)
	if err != nil || end.Offset > len(src) {
		return "?"
	}
	b.Write(src[pos.Offset:end.Offset])
	return b.String()
}

// isPackage reports whether x names the imported package name.
func isPackage(x ast.Expr, name string) bool {
	id, ok := x.(*ast.Ident)
	return ok && id.Name == name
}
