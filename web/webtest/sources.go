// Package webtest holds what the tests of web's packages share. Only tests import it (a test of
// web checks that).
package webtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ReadSources returns the non-test Go files of the directories, relative to the test's package; a
// directory written dir/... takes the directories below it too.
func ReadSources(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range dirs {
		root, deep := strings.CutSuffix(dir, "/...")
		err := filepath.WalkDir(root, func(name string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if name != root && !deep {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			out[name] = string(b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no Go sources in %v", dirs)
	}
	return out
}
