package i18n

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// The pages call the currency by one name in each language: 时间币 and "time credits". Verified
// service hours (服务时长, "service hours") are the record, not the currency, and keep their own
// words; hours stay the unit both are counted in. This fails when a page string calls the currency
// anything else: 积分 or points, "时间" or "hours" for what is spent, or "credits" without "time".
func TestOneTermForCredits(t *testing.T) {
	other := map[string][]*regexp.Regexp{
		"zh-CN": {
			regexp.MustCompile(`积分`),
			// 时间 where the currency is meant: what is available, held, earned, spent or given.
			regexp.MustCompile(`(可用|我的|冻结的?|获得的|等量的|收到的|公益池的|使用的是|发放|兑换|用|花)时间([^币]|$)`),
			regexp.MustCompile(`服务时间|时间账户`),
		},
		"en": {
			regexp.MustCompile(`(?i)\bpoints\b|\bcoins?\b`),
			regexp.MustCompile(`(?i)\b(my|your|held|available|spend|spending|redeem|with|volunteer) hours\b`),
			regexp.MustCompile(`(?i)hours you can spend|hours can be exchanged`),
		},
	}
	credit := regexp.MustCompile(`(?i)(\w+ )?\bcredits?\b( \w+)?`)
	for lang, forbidden := range other {
		files, err := fs.Glob(localeFS, "locales/"+lang+"/*pages.json")
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v (%d files)", lang, err, len(files))
		}
		for _, f := range files {
			raw, err := fs.ReadFile(localeFS, f)
			if err != nil {
				t.Fatal(err)
			}
			var msgs map[string]string
			if err := json.Unmarshal(raw, &msgs); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for key, text := range msgs {
				for _, re := range forbidden {
					if m := re.FindString(text); m != "" {
						t.Errorf("%s %s: %q calls the time credits %q", f, key, text, m)
					}
				}
				if lang != "en" {
					continue
				}
				for _, m := range credit.FindAllStringSubmatch(text, -1) {
					before, after := strings.ToLower(strings.TrimSpace(m[1])), strings.ToLower(strings.TrimSpace(m[2]))
					if before != "time" && after != "code" {
						t.Errorf("%s %s: %q says %q, not \"time credits\"", f, key, text, m[0])
					}
				}
			}
		}
	}
}
