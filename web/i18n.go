package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
)

//go:embed locales/*.json
var localeFS embed.FS

// Languages the service speaks; the first is the default.
var languages = []string{"zh-CN", "en"}

// messages are the translated message catalogues, one flat key → text map per language.
type messages map[string]map[string]string

func loadMessages() (messages, error) {
	m := messages{}
	for _, lang := range languages {
		b, err := localeFS.ReadFile("locales/" + lang + ".json")
		if err != nil {
			return nil, err
		}
		cat := map[string]string{}
		if err := json.Unmarshal(b, &cat); err != nil {
			return nil, fmt.Errorf("locales/%s.json: %w", lang, err)
		}
		m[lang] = cat
	}
	return m, nil
}

// lang picks the caller's language from the lang cookie or Accept-Language; Chinese by default.
func (m messages) lang(c *fiber.Ctx) string {
	if l := c.Cookies("lang"); l == "en" || l == "zh-CN" {
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
	return languages[0]
}

// get returns the message in the language, falling back to the key itself so a missing entry shows
// up in review rather than as an empty string (a test makes sure none is missing).
func (m messages) get(lang, key string) string {
	if s, ok := m[lang][key]; ok {
		return s
	}
	return key
}
