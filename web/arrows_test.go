package web

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// plumbing are the packages of web that every side stands on; they import no side.
var plumbing = []string{"timebank/web/i18n", "timebank/web/problem", "timebank/web/request",
	"timebank/web/guard", "timebank/web/observe", "timebank/web/target", "timebank/web/notices"}

// sides are the JSON API and the pages: they stand on the plumbing and never on each other.
var sides = []string{"timebank/web/api", "timebank/web/pages"}

// The arrows of web point one way: the plumbing imports neither side nor the assembly, the sides
// do not import each other or the assembly, and the test helpers are imported by tests only. A
// package that breaks one fails here, with the import that does.
func TestImportArrows(t *testing.T) {
	t.Parallel()
	deps := listDeps(t)
	for pkg, imports := range deps {
		var forbidden []string
		switch {
		case slices.Contains(plumbing, pkg):
			forbidden = append(append([]string{"timebank/web"}, sides...), "timebank/web/webtest")
		case slices.Contains(sides, pkg):
			forbidden = []string{"timebank/web", "timebank/web/webtest"}
			for _, other := range sides {
				if other != pkg {
					forbidden = append(forbidden, other)
				}
			}
		case strings.HasPrefix(pkg, "timebank/"):
			forbidden = []string{"timebank/web/webtest"}
		}
		for _, imp := range imports {
			if slices.Contains(forbidden, imp) {
				t.Errorf("%s imports %s (directly or through another package)", pkg, imp)
			}
		}
	}
	for _, must := range plumbing {
		if _, ok := deps[must]; !ok {
			t.Errorf("%s is not a package any more: fix the lists of this test", must)
		}
	}
}

// listDeps returns each package of the module (without its tests) with every package it imports,
// directly or not, as go list reports them.
func listDeps(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "timebank/...")
	cmd.Dir = filepath.Join("..")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		deps[p.ImportPath] = p.Deps
	}
	if len(deps) < 10 {
		t.Fatalf("go list found only %d packages", len(deps))
	}
	return deps
}
