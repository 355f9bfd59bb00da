package i18n

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Both catalogues have the same keys, and none is empty.
func TestLocalesComplete(t *testing.T) {
	msgs, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if Languages[0] != "zh-CN" {
		t.Errorf("the default language is %s", Languages[0])
	}
	keys := map[string]bool{}
	for _, lang := range Languages {
		if len(msgs[lang]) == 0 {
			t.Fatalf("catalogue %s is empty", lang)
		}
		for k := range msgs[lang] {
			keys[k] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		for _, lang := range Languages {
			v, ok := msgs[lang][k]
			switch {
			case !ok:
				t.Errorf("locales/%s.json lacks %q", lang, k)
			case strings.TrimSpace(v) == "":
				t.Errorf("locales/%s.json: %q is empty", lang, k)
			case v == k:
				t.Errorf("locales/%s.json: %q is not translated", lang, k)
			}
		}
		if !strings.HasPrefix(k, "problem.") && !strings.HasPrefix(k, "reason.") && !strings.HasPrefix(k, "detail.") &&
			!strings.HasPrefix(k, "page.") && !strings.HasPrefix(k, "notice.") {
			t.Errorf("key %q is neither problem., reason., detail., notice. nor page. (web/pages/templates_test.go checks "+
				"page keys, web/notices the notices' texts)", k)
		}
	}
	han := regexp.MustCompile(`\p{Han}`)
	for k, v := range msgs["zh-CN"] {
		if strings.HasPrefix(k, "problem.") && !han.MatchString(v) {
			t.Errorf("zh-CN %q = %q has no Chinese", k, v)
		}
	}
	for k, v := range msgs["en"] {
		if han.MatchString(v) {
			t.Errorf("en %q = %q is Chinese", k, v)
		}
	}
}
