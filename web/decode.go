package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
)

// decodeJSON reads a request body strictly: JSON content type, one object, no unknown fields, no
// trailing data. Errors are 400 problems naming the field.
func decodeJSON(c *fiber.Ctx, v any) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	return decodeBody(c.BodyRaw(), v)
}

// maxJSONBody is the largest JSON request body.
const maxJSONBody = 1 << 20

// requireJSON refuses a body that is not declared as JSON, or too large for JSON.
func requireJSON(c *fiber.Ctx) error {
	// The app's body limit leaves room for photo uploads; JSON needs far less.
	if len(c.BodyRaw()) > maxJSONBody {
		return &problemError{status: fiber.StatusRequestEntityTooLarge, slug: "too-large"}
	}
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return &problemError{status: fiber.StatusUnsupportedMediaType, slug: "invalid-request",
			fields: []FieldError{{Field: "Content-Type", Reason: "content_type"}}}
	}
	// Bodies are read raw: a compressed body would be inflated past the body limit.
	if ce := c.Get(fiber.HeaderContentEncoding); ce != "" && !strings.EqualFold(ce, "identity") {
		return &problemError{status: fiber.StatusUnsupportedMediaType, slug: "invalid-request",
			fields: []FieldError{{Field: "Content-Encoding", Reason: "content_encoding"}}}
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func decodeBody(body []byte, v any) error {
	// encoding/json would quietly replace invalid UTF-8 with U+FFFD; refuse it instead.
	if !utf8.Valid(body) {
		return badRequest("body", "encoding")
	}
	if f := jsonControlField(body); f != "" {
		return badRequest(f, "control_char")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return badRequest(te.Field, "type")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return badRequest(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown_field")
		}
		return badRequest("body", "malformed_json")
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("body", "trailing_data")
	}
	return nil
}

// idempotencyKey returns the required Idempotency-Key header.
func idempotencyKey(c *fiber.Ctx) (string, error) {
	k := c.Get("Idempotency-Key")
	if k == "" {
		return "", badRequest("Idempotency-Key", "required")
	}
	return k, nil
}

// idParam reads a positive integer path parameter.
func idParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest(name, "not_a_number")
	}
	return id, nil
}

// codeParam reads an account code from the path; codes contain colons, which clients may escape.
func codeParam(c *fiber.Ctx) (string, error) {
	code, err := url.PathUnescape(c.Params("code"))
	if err != nil || !ledger.ValidCode(code) {
		return "", badRequest("code", "format")
	}
	return code, nil
}

// created renders a write's result: 201 the first time, 200 with Idempotent-Replayed on a replay.
func created(c *fiber.Ctx, replayed bool, v any) error {
	if replayed {
		c.Set("Idempotent-Replayed", "true")
		return c.Status(fiber.StatusOK).JSON(v)
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}
