package request

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/web/problem"
)

// Control characters (C0 but tab, line feed and carriage return, and DEL) have no place in any text
// a person types. PostgreSQL refuses NUL in text outright, so one that reached a statement failed
// as a 500; the others would be stored and shown. Every text input is checked here, once: query
// parameters and form fields by refuseControlChars, JSON strings in decodeBody.

// ControlChar reports whether s holds a character no text field takes.
func ControlChar(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
	}) >= 0
}

// RefuseControlChars answers 400, naming the field, to a request whose query parameters or form
// fields (URL-encoded; a multipart body's text fields are checked where a handler reads them) hold a
// control character.
func RefuseControlChars(c *fiber.Ctx) error {
	field := ""
	check := func(k, v []byte) {
		if field == "" && (ControlChar(string(k)) || ControlChar(string(v))) {
			field = string(k)
		}
	}
	c.Request().URI().QueryArgs().VisitAll(check)
	if bytes.HasPrefix(c.Request().Header.ContentType(), []byte(fiber.MIMEApplicationForm)) {
		c.Request().PostArgs().VisitAll(check)
	}
	if field != "" {
		return problem.BadRequest(field, "control_char")
	}
	return c.Next()
}

// jsonControlField returns the name of the first member of a JSON body whose string value holds a
// control character (JSON allows them escaped, as \u0000), or "" when there is none.
func jsonControlField(body []byte) string {
	if !bytes.Contains(body, []byte(`\u00`)) && !bytes.Contains(body, []byte(`\u007`)) {
		return "" // nothing escaped that could be one: the common case costs one scan
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	// In an object, members alternate key and value; keys[i] is the last key at depth i, and
	// wantKey[i] whether the next string there is a key.
	var (
		keys    []string
		wantKey []bool
	)
	valueDone := func() {
		if n := len(wantKey); n > 0 && keys[n-1] != "[]" {
			wantKey[n-1] = true
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return ""
		}
		n := len(wantKey)
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				keys, wantKey = append(keys, ""), append(wantKey, true)
			case '[':
				name := "[]"
				keys, wantKey = append(keys, name), append(wantKey, false)
			default:
				keys, wantKey = keys[:n-1], wantKey[:n-1]
				valueDone()
			}
		case string:
			if n > 0 && wantKey[n-1] {
				keys[n-1], wantKey[n-1] = t, false
				if ControlChar(t) {
					return t
				}
				continue
			}
			if ControlChar(t) {
				return fieldOf(keys)
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// fieldOf names the innermost object member on the path, or "body".
func fieldOf(keys []string) string {
	for i := len(keys) - 1; i >= 0; i-- {
		if keys[i] != "[]" && keys[i] != "" {
			return keys[i]
		}
	}
	return "body"
}
