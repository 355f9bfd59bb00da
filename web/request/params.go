package request

import (
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/pkg/store"
	"timebank/web/problem"
)

// After is the keyset position ?after= (the last id of the previous page), 0 when absent.
func After(c *fiber.Ctx) (int64, error) {
	v := c.Query("after")
	if v == "" {
		return 0, nil
	}
	after, err := strconv.ParseInt(v, 10, 64)
	if err != nil || after < 0 {
		return 0, problem.BadRequest("after", "not_a_number")
	}
	return after, nil
}

// Page reads the keyset cursor (?after=) and page size (?limit=, default 50) of a list.
func Page(c *fiber.Ctx, maxLimit int) (after int64, limit int, err error) {
	limit = 50
	if after, err = After(c); err != nil {
		return 0, 0, err
	}
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxLimit {
			return 0, 0, problem.BadRequest("limit", "range")
		}
	}
	return after, limit, nil
}

// QueryID reads an optional positive id from the query string; 0 when absent.
func QueryID(c *fiber.Ctx, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, problem.BadRequest(name, "not_a_number")
	}
	return n, nil
}

// CheckOut reads which of the activity's codes is asked for: ?kind=check_in (the default) or
// check_out.
func CheckOut(c *fiber.Ctx) (bool, error) {
	switch c.Query("kind", activity.CodeCheckIn) {
	case activity.CodeCheckIn:
		return false, nil
	case activity.CodeCheckOut:
		return true, nil
	}
	return false, problem.BadRequest("kind", "unknown")
}

// Photo returns the uploaded picture's bytes, from the form field "photo" of a multipart
// body or else the body itself. Its type is decided later from the bytes, whatever the request
// says; only a compressed body is refused here, as it would be inflated past the body limit.
func Photo(c *fiber.Ctx) ([]byte, error) {
	if ce := c.Get(fiber.HeaderContentEncoding); ce != "" && !strings.EqualFold(ce, "identity") {
		return nil, &problem.Error{Status: fiber.StatusUnsupportedMediaType, Slug: "invalid-request",
			Fields: []problem.FieldError{{Field: "Content-Encoding", Reason: "content_encoding"}}}
	}
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
		return c.BodyRaw(), nil
	}
	fh, err := c.FormFile("photo")
	if err != nil {
		return nil, problem.BadRequest("photo", "required")
	}
	if fh.Size > store.MaxPhotoBytes {
		return nil, store.ErrPhotoTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, store.MaxPhotoBytes+1))
	if err != nil {
		return nil, errors.Join(store.ErrPhotoInvalid, err)
	}
	return data, nil
}
