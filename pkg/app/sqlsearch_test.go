package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// statement is one SQL text found in the source, with where it was found.
type statement struct {
	where string // package/file.go:line, or package/file.sql:name
	text  string
}

// sqlVerb recognises the start of a statement, after comments and white space.
var sqlVerb = regexp.MustCompile(`(?is)^\s*(?:--[^\n]*\n\s*)*(SELECT|INSERT|UPDATE|DELETE|WITH)\b`)

// sqlSource is what the search found: whole statements, and the SQL that is completed only at run
// time (a format filled by fmt.Sprintf, a literal added to a variable), which cannot be checked
// before it runs.
type sqlSource struct {
	statements []statement
	runtime    []statement
}

// sqlStatements searches the non-test Go files of the ledger and of every package under pkg/ for
// SQL: string literals, sums of literals and of the package's constants, wherever they stand
// (package-level constants and variables, constants beside the method that runs them, literals
// passed straight to a query call). A constant that is only a part of statements (a column list, a
// SELECT completed by its callers) is checked in each sum it is part of. The directories are
// globbed, so a package added later is checked without being listed.
func sqlStatements(t *testing.T, root string) sqlSource {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(root, "pkg", "*"))
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, filepath.Join(root, "ledger"))
	var src sqlSource
	for _, dir := range dirs {
		if why, skip := notSearched[filepath.Base(dir)]; skip {
			t.Logf("%s is not searched: %s", dir, why)
			continue
		}
		src.search(t, dir)
		src.searchFiles(t, dir)
	}
	return src
}

// notSearched are the packages under pkg/ whose SQL is no part of the service, with why.
var notSearched = map[string]string{
	"dbtest": "test support, whose SQL runs in every test and may use tables it makes for itself",
}

// nameLine starts a named query of a .sql file, listmonk's way: "-- name: get-user".
var nameLine = regexp.MustCompile(`(?m)^--\s*name:\s*(\S+)\s*$`)

// searchFiles adds the queries of the package's .sql files (to be embedded and prepared at
// start-up): each "-- name:" block is one statement; a file without names is one statement.
func (src *sqlSource) searchFiles(t *testing.T, dir string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text, file := string(b), filepath.Base(dir)+"/"+filepath.Base(path)
		names := nameLine.FindAllStringSubmatchIndex(text, -1)
		if len(names) == 0 {
			src.statements = append(src.statements, statement{file, text})
			continue
		}
		for i, m := range names {
			end := len(text)
			if i+1 < len(names) {
				end = names[i+1][0]
			}
			src.statements = append(src.statements, statement{file + ":" + text[m[2]:m[3]], text[m[1]:end]})
		}
	}
}

// search adds the SQL of one package.
func (src *sqlSource) search(t *testing.T, dir string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	pkg := &pkgStrings{consts: map[string]*ast.ValueSpec{}, parts: map[string]bool{}}
	for _, f := range files {
		pkg.collect(f)
	}
	where := func(n ast.Node) string {
		pos := fset.Position(n.Pos())
		return filepath.Base(dir) + "/" + filepath.Base(pos.Filename) + ":" + strconv.Itoa(pos.Line)
	}
	for _, f := range files {
		formats := map[ast.Expr]bool{} // the formats of fmt calls, found before their call's arguments
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				// A package-level constant that is a part of statements is checked in its sums.
				if len(n.Names) == 1 && pkg.consts[n.Names[0].Name] == n && pkg.parts[n.Names[0].Name] {
					return false
				}
			case *ast.CallExpr:
				if isFormat(n) && len(n.Args) > 0 {
					formats[n.Args[0]] = true
				}
			case ast.Expr:
				if formats[n] {
					if text, ok := pkg.eval(n); ok && sqlVerb.MatchString(text) {
						src.runtime = append(src.runtime, statement{where(n), text})
					}
					return false
				}
			}
			switch n := n.(type) {
			case *ast.BinaryExpr, *ast.BasicLit:
				text, ok := pkg.eval(n.(ast.Expr))
				if ok && sqlVerb.MatchString(text) {
					src.statements = append(src.statements, statement{where(n), text})
					return false
				}
				if b, isSum := n.(*ast.BinaryExpr); isSum && b.Op == token.ADD && !ok {
					if head, ok := pkg.eval(leftmost(b)); ok && sqlVerb.MatchString(head) {
						src.runtime = append(src.runtime, statement{where(n), head + "…"})
						return false
					}
				}
			}
			return true
		})
	}
}

// pkgStrings are a package's string constants and variables, and the names among them that are
// used as parts of a sum.
type pkgStrings struct {
	consts map[string]*ast.ValueSpec
	parts  map[string]bool
}

// collect notes the file's package-level string values and the names its sums add.
func (p *pkgStrings) collect(f *ast.File) {
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && (g.Tok == token.CONST || g.Tok == token.VAR) {
			for _, spec := range g.Specs {
				if vs, ok := spec.(*ast.ValueSpec); ok && len(vs.Names) == 1 && len(vs.Values) == 1 {
					p.consts[vs.Names[0].Name] = vs
				}
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if b, ok := n.(*ast.BinaryExpr); ok && b.Op == token.ADD {
			for _, e := range []ast.Expr{b.X, b.Y} {
				if id, ok := e.(*ast.Ident); ok && p.value(id) != nil {
					p.parts[id.Name] = true
				}
			}
		}
		return true
	})
}

// eval returns the value of a string literal, a package string constant, or a sum of them.
func (p *pkgStrings) eval(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		if v := p.value(e); v != nil {
			return p.eval(v)
		}
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, ok := p.eval(e.X)
		if !ok {
			return "", false
		}
		y, ok := p.eval(e.Y)
		return x + y, ok
	case *ast.ParenExpr:
		return p.eval(e.X)
	}
	return "", false
}

// value is the expression a package-level constant or variable named by id was declared with, or
// nil when id names something else (a local shadowing it, say). An id declared in another file of
// the package is not resolved by the parser (Obj is nil).
func (p *pkgStrings) value(id *ast.Ident) ast.Expr {
	vs, ok := p.consts[id.Name]
	if !ok || (id.Obj != nil && id.Obj.Decl != vs) {
		return nil
	}
	return vs.Values[0]
}

// leftmost is the first operand of a chain of sums.
func leftmost(b *ast.BinaryExpr) ast.Expr {
	for {
		x, ok := b.X.(*ast.BinaryExpr)
		if !ok || x.Op != token.ADD {
			return b.X
		}
		b = x
	}
}

// isFormat reports whether the call is fmt.Sprintf or a relative, whose first argument is a format.
func isFormat(c *ast.CallExpr) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "fmt" && strings.HasSuffix(sel.Sel.Name, "f")
}
