// Package i18n holds the translated message catalogues (locales/<lang>/<area>.json, embedded) and
// picks a request's language. It imports nothing of web: the API, the pages and the error handler
// all translate through it.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/gofiber/fiber/v2"
)

//go:embed locales
var localeFS embed.FS

// CookieLang remembers the chosen language in the browser (and, for a signed-in person, it is
// also stored with the user).
const CookieLang = "lang"

// Languages the service speaks; the first is the default.
var Languages = []string{"zh-CN", "en"}

// Messages are the translated message catalogues, one flat key → text map per language.
type Messages map[string]map[string]string

// Load reads the catalogues: each language is a folder of JSON files (one per area of the
// service, so that areas can be translated apart), merged into one map; a key defined twice is an
// error.
func Load() (Messages, error) {
	m := Messages{}
	for _, lang := range Languages {
		files, err := fs.Glob(localeFS, "locales/"+lang+"/*.json")
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("locales/%s: no catalogue", lang)
		}
		cat := map[string]string{}
		for _, name := range files {
			b, err := localeFS.ReadFile(name)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := cat[k]; dup {
					return nil, fmt.Errorf("%s: %q is defined twice in locales/%s", name, k, lang)
				}
				cat[k] = v
			}
		}
		m[lang] = cat
	}
	return m, nil
}

// Lang picks the caller's language from the lang cookie or Accept-Language; Chinese by default.
func (m Messages) Lang(c *fiber.Ctx) string {
	if l := c.Cookies(CookieLang); l == "en" || l == "zh-CN" {
		return l
	}
	for _, part := range strings.Split(c.Get(fiber.HeaderAcceptLanguage), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh-CN"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return Languages[0]
}

// Get returns the message in the language, falling back to the key itself so a missing entry shows
// up in review rather than as an empty string (a test makes sure none is missing).
func (m Messages) Get(lang, key string) string {
	if s, ok := m[lang][key]; ok {
		return s
	}
	return key
}
