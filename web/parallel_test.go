package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// alone are the tests of the package that must not run beside others, and why.
var alone = map[string]string{
	"TestExportStreamsOverHTTP": "it measures the heap of the whole process",
}

// Every test of the package starts with t.Parallel(): the package is the longest of `make test`,
// and most of its tests' time is waiting for Chromium, PostgreSQL or Redis, so they overlap. A
// test that cannot must say why in alone.
func TestEveryTestRunsInParallel(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*_test.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("test files: %v %v", files, err)
	}
	fset := token.NewFileSet()
	seen := 0
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Test") || fn.Name.Name == "TestMain" {
				continue
			}
			seen++
			_, exempt := alone[fn.Name.Name]
			if parallel := startsParallel(fn); parallel == exempt {
				if exempt {
					t.Errorf("%s: %s runs in parallel but is listed as one that must not", fset.Position(fn.Pos()), fn.Name.Name)
				} else {
					t.Errorf("%s: %s does not start with t.Parallel()", fset.Position(fn.Pos()), fn.Name.Name)
				}
			}
		}
	}
	if seen < 100 {
		t.Fatalf("found %d tests: the files were not read", seen)
	}
}

// startsParallel says whether the function's first statement is t.Parallel().
func startsParallel(fn *ast.FuncDecl) bool {
	if fn.Body == nil || len(fn.Body.List) == 0 {
		return false
	}
	st, ok := fn.Body.List[0].(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := st.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Parallel" && len(call.Args) == 0
}
