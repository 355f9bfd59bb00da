package api

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/web/guard"
	"timebank/web/request"
)

// ItemPhotoCache lets browsers and proxies keep a photo a while; they revalidate it with its ETag,
// and pages link it with ?v=<version>, so a new photo is a new URL and shows at once.
const ItemPhotoCache = "public, max-age=3600"

// getItemPhoto serves an item's photo (a JPEG) to anyone, as the catalogue is public; a request
// carrying the photo's ETag in If-None-Match gets 304, and the photo's bytes are then not read.
func (s *server) getItemPhoto(c *fiber.Ctx) error {
	storeID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	itemID, err := request.IDParam(c, "item")
	if err != nil {
		return err
	}
	held, anyHeld := ifNoneMatch(c.Get(fiber.HeaderIfNoneMatch))
	p, err := s.Store.ItemPhoto(c.UserContext(), storeID, itemID, held...)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, `"`+p.ETag+`"`)
	c.Set(fiber.HeaderCacheControl, ItemPhotoCache)
	if anyHeld || slices.Contains(held, p.ETag) { // the store left the bytes out for the same reason
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, p.ContentType)
	return c.Send(p.Data)
}

// ifNoneMatch returns the entity tags an If-None-Match header names, without their quotes and weak
// prefix (RFC 9110 compares If-None-Match weakly), and whether it is "*", which any photo matches
// (rarely sent for a picture: that photo's bytes are read for nothing). A tag without quotes is
// malformed and matches nothing.
func ifNoneMatch(header string) (tags []string, anyTag bool) {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		switch {
		case t == "*":
			anyTag = true
		case len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"':
			tags = append(tags, t[1:len(t)-1])
		}
	}
	return tags, anyTag
}

// putItemPhoto replaces an item's photo with the upload: the raw body, or the multipart field
// "photo". It answers what is kept (size, ETag), not the bytes.
func (s *server) putItemPhoto(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "id") // checked by the route's rule
	itemID, err := request.IDParam(c, "item")
	if err != nil {
		return err
	}
	data, err := request.Photo(c)
	if err != nil {
		return err
	}
	p, err := s.Store.SetItemPhoto(c.UserContext(), guard.Principal(c).Actor(), storeID, itemID, data)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// deleteItemPhoto removes an item's photo.
func (s *server) deleteItemPhoto(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "id")
	itemID, err := request.IDParam(c, "item")
	if err != nil {
		return err
	}
	if err := s.Store.DeleteItemPhoto(c.UserContext(), guard.Principal(c).Actor(), storeID, itemID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
