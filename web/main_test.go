package web

import (
	"os"
	"testing"
)

// TestMain ends what the tests of the package share once they have all run: the browser.
func TestMain(m *testing.M) {
	code := m.Run()
	endChrome()
	os.Exit(code)
}
