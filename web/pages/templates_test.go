package pages

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/web/i18n"
	"timebank/web/problem"
	"timebank/web/webtest"
)

// pageKeyFamilies are page keys built at run time from a prefix and a value the code takes from
// elsewhere (a role, a scope kind, a transaction kind). Each family must be complete in both
// languages, and its prefix must still appear in the sources.
func pageKeyFamilies() map[string][]string {
	roles := make([]string, 0, len(access.PersonRoles))
	for _, r := range access.PersonRoles {
		roles = append(roles, string(r))
	}
	return map[string][]string{
		"page.role.":  roles,
		"page.scope.": {string(access.Platform), string(access.Region), string(access.Org), string(access.Store)},
		"page.kind.": {ledger.TxEarn, ledger.TxRedeem, ledger.TxTransfer, ledger.TxDonate, ledger.TxExpire,
			ledger.TxAdjust, ledger.TxReverse},
		"page.rules.weekday.":     {"0", "1", "2", "3", "4", "5", "6"},
		"page.rules.day.":         {activity.DayHoliday, activity.DayWorkday},
		"page.rules.policy.":      slices.Concat(creditFields, hoursFields),
		"page.rules.policy.unit.": {"1", "15", "30"},
		"page.rules.policy.zero.": creditFields,
		"page.store.rules.":       storeRuleFields,
		"page.store.rules.hint.":  storeRuleFields,
	}
}

// templateKeys returns the keys the templates translate: {{t "page.x"}} and (t "page.x" …).
func templateKeys(t *testing.T) map[string][]string {
	t.Helper()
	action := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	call := regexp.MustCompile(`(?:^\{\{-?|[\s(])t\s+"([^"]*)"`)
	used := map[string][]string{}
	err := filepath.WalkDir("templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, a := range action.FindAllString(string(b), -1) {
			for _, m := range call.FindAllStringSubmatch(a, -1) {
				used[m[1]] = append(used[m[1]], path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return used
}

// Every page key a template or a page handler uses is in both languages' page catalogues (pages.json
// and the areas' *_pages.json), and every key there is used; they hold page keys only.
func TestTemplateKeysTranslated(t *testing.T) {
	used := templateKeys(t)
	// The pattern must still find keys known to be used, or this test checks nothing.
	for _, must := range []string{"page.service", "page.login.action", "page.field.phone", "page.balance.unit"} {
		if len(used[must]) == 0 {
			t.Fatalf("the template pattern no longer finds %q: fix the test", must)
		}
	}
	literal := regexp.MustCompile(`"(page\.[a-z0-9_.]*)"`)
	for name, src := range webtest.ReadSources(t, "../...") {
		for _, m := range literal.FindAllStringSubmatch(src, -1) {
			if !strings.HasSuffix(m[1], ".") {
				used[m[1]] = append(used[m[1]], name)
			}
		}
	}
	for prefix, values := range pageKeyFamilies() {
		found := false
		for _, src := range webtest.ReadSources(t, "../...") {
			found = found || strings.Contains(src, `"`+prefix+`"`)
		}
		if !found {
			t.Errorf("no source builds keys %s…: drop the family from the test", prefix)
		}
		for _, v := range values {
			used[prefix+v] = append(used[prefix+v], "(built from "+prefix+")")
		}
	}

	for _, lang := range i18n.Languages {
		// The page keys of each area are in a file of their own: pages.json, orgs_pages.json …
		files, err := filepath.Glob(filepath.Join("..", "i18n", "locales", lang, "*pages.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("i18n/locales/%s: no page catalogue (%v)", lang, err)
		}
		cat := map[string]string{}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var part map[string]string
			if err := json.Unmarshal(b, &part); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for k, v := range part {
				if !strings.HasPrefix(k, "page.") {
					t.Errorf("%s: %q is not a page key", name, k)
				} else if len(used[k]) == 0 {
					t.Errorf("%s: %q is used by no template or page", name, k)
				}
				cat[k] = v
			}
		}
		for k, where := range used {
			if _, ok := cat[k]; !ok {
				t.Errorf("i18n/locales/%s/*pages.json lacks %q (used in %s)", lang, k, strings.Join(where, ", "))
			}
		}
	}
	// Keys a template uses must be page keys: problem and reason messages reach pages through the
	// handlers, which pick them by slug.
	for k, where := range templateKeys(t) {
		if !strings.HasPrefix(k, "page.") {
			t.Errorf("%s: {{t %q}} is not a page key", strings.Join(where, ", "), k)
		}
	}
}

// Every template parses in both languages, and each page renders inside the layout with every
// function and partial it calls (a missing static file or partial fails here).
func TestTemplatesRender(t *testing.T) {
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRenderer(msgs)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := fs.Glob(pageFS, "templates/pages/*.html")
	if err != nil || len(pages) < 6 {
		t.Fatalf("pages: %v %v", pages, err)
	}
	for _, lang := range i18n.Languages {
		for _, p := range pages {
			name := strings.TrimSuffix(filepath.Base(p), ".html")
			var sb strings.Builder
			v := view{Lang: lang, Title: "x", Path: "/", CSRF: "tok", Form: form{Values: map[string]string{}, Errors: map[string]string{}}}
			switch name {
			case "me":
				v.Data = profile{}
			case "balance":
				v.Data = balanceView{}
			case "error":
				v.Data = problem.Problem{Status: 404}
			}
			if err := r.engines[lang].Render(&sb, "pages/"+name, v); err != nil {
				t.Errorf("%s pages/%s: %v", lang, name, err)
			}
			v.Content = "<p>page</p>"
			sb.Reset()
			if err := r.engines[lang].Render(&sb, "layouts/main", v); err != nil {
				t.Errorf("%s layout: %v", lang, err)
			}
			if !strings.Contains(sb.String(), `<html lang="`+lang+`">`) {
				t.Errorf("%s layout without its lang attribute", lang)
			}
		}
	}
}
