package web

import (
	"errors"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
)

// itemPhotoCache lets browsers and proxies keep a photo a while; they revalidate it with its ETag,
// and pages link it with ?v=<version>, so a new photo is a new URL and shows at once.
const itemPhotoCache = "public, max-age=3600"

// getItemPhoto serves an item's photo (a JPEG) to anyone, as the catalogue is public; a request
// carrying the photo's ETag in If-None-Match gets 304 without the bytes.
func (s *server) getItemPhoto(c *fiber.Ctx) error {
	storeID, err := idParam(c, "id")
	if err != nil {
		return err
	}
	itemID, err := idParam(c, "item")
	if err != nil {
		return err
	}
	p, err := s.store.ItemPhoto(c.UserContext(), storeID, itemID)
	if err != nil {
		return err
	}
	etag := `"` + p.ETag + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, itemPhotoCache)
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, p.ContentType)
	return c.Send(p.Data)
}

// etagMatches reports whether an If-None-Match header names the ETag (weakly, as RFC 9110 says
// If-None-Match compares).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// putItemPhoto replaces an item's photo with the upload: the raw body, or the multipart field
// "photo". It answers what is kept (size, ETag), not the bytes.
func (s *server) putItemPhoto(c *fiber.Ctx) error {
	storeID, _ := idParam(c, "id") // checked by the route's rule
	itemID, err := idParam(c, "item")
	if err != nil {
		return err
	}
	data, err := photoUpload(c)
	if err != nil {
		return err
	}
	p, err := s.store.SetItemPhoto(c.UserContext(), principal(c), storeID, itemID, data)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// deleteItemPhoto removes an item's photo.
func (s *server) deleteItemPhoto(c *fiber.Ctx) error {
	storeID, _ := idParam(c, "id")
	itemID, err := idParam(c, "item")
	if err != nil {
		return err
	}
	if err := s.store.DeleteItemPhoto(c.UserContext(), principal(c), storeID, itemID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// photoUpload returns the uploaded picture's bytes, from the form field "photo" of a multipart
// body or else the body itself. Its type is decided later from the bytes, whatever the request
// says; only a compressed body is refused here, as it would be inflated past the body limit.
func photoUpload(c *fiber.Ctx) ([]byte, error) {
	if ce := c.Get(fiber.HeaderContentEncoding); ce != "" && !strings.EqualFold(ce, "identity") {
		return nil, &problemError{status: fiber.StatusUnsupportedMediaType, slug: "invalid-request",
			fields: []FieldError{{Field: "Content-Encoding", Reason: "content_encoding"}}}
	}
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
		return c.BodyRaw(), nil
	}
	fh, err := c.FormFile("photo")
	if err != nil {
		return nil, badRequest("photo", "required")
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
