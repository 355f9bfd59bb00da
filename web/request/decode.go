// Package request reads what a request carries: strict JSON bodies, path parameters, the
// Idempotency-Key header, and the refusal of control characters in any text. Its errors are
// problem documents naming the field; it imports no handler.
package request

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
	"timebank/web/problem"
)

// DecodeJSON reads a request body strictly: JSON content type, one object, no unknown fields, no
// trailing data. Errors are 400 problems naming the field.
func DecodeJSON(c *fiber.Ctx, v any) error {
	if err := RequireJSON(c); err != nil {
		return err
	}
	return DecodeBody(c.BodyRaw(), v)
}

// maxJSONBody is the largest JSON request body.
const maxJSONBody = 1 << 20

// RequireJSON refuses a body that is not declared as JSON, or too large for JSON.
func RequireJSON(c *fiber.Ctx) error {
	// The app's body limit leaves room for photo uploads; JSON needs far less.
	if len(c.BodyRaw()) > maxJSONBody {
		return &problem.Error{Status: fiber.StatusRequestEntityTooLarge, Slug: "too-large"}
	}
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return &problem.Error{Status: fiber.StatusUnsupportedMediaType, Slug: "invalid-request",
			Fields: []problem.FieldError{{Field: "Content-Type", Reason: "content_type"}}}
	}
	// Bodies are read raw: a compressed body would be inflated past the body limit.
	if ce := c.Get(fiber.HeaderContentEncoding); ce != "" && !strings.EqualFold(ce, "identity") {
		return &problem.Error{Status: fiber.StatusUnsupportedMediaType, Slug: "invalid-request",
			Fields: []problem.FieldError{{Field: "Content-Encoding", Reason: "content_encoding"}}}
	}
	return nil
}

// DecodeBody decodes a JSON body strictly (valid UTF-8, no control characters, no unknown fields,
// no trailing data), as DecodeJSON does after checking the headers.
func DecodeBody(body []byte, v any) error {
	// encoding/json would quietly replace invalid UTF-8 with U+FFFD; refuse it instead.
	if !utf8.Valid(body) {
		return problem.BadRequest("body", "encoding")
	}
	if f := jsonControlField(body); f != "" {
		return problem.BadRequest(f, "control_char")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return problem.BadRequest(te.Field, "type")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return problem.BadRequest(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown_field")
		}
		return problem.BadRequest("body", "malformed_json")
	}
	if _, err := dec.Token(); err != io.EOF {
		return problem.BadRequest("body", "trailing_data")
	}
	return nil
}

// IdempotencyKey returns the required Idempotency-Key header.
func IdempotencyKey(c *fiber.Ctx) (string, error) {
	k := c.Get("Idempotency-Key")
	if k == "" {
		return "", problem.BadRequest("Idempotency-Key", "required")
	}
	return k, nil
}

// IDParam reads a positive integer path parameter.
func IDParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.BadRequest(name, "not_a_number")
	}
	return id, nil
}

// CodeParam reads an account code from the path; codes contain colons, which clients may escape.
func CodeParam(c *fiber.Ctx) (string, error) {
	code, err := url.PathUnescape(c.Params("code"))
	if err != nil || !ledger.ValidCode(code) {
		return "", problem.BadRequest("code", "format")
	}
	return code, nil
}

// Created renders a write's result: 201 the first time, 200 with Idempotent-Replayed on a replay.
func Created(c *fiber.Ctx, replayed bool, v any) error {
	if replayed {
		c.Set("Idempotent-Replayed", "true")
		return c.Status(fiber.StatusOK).JSON(v)
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}
