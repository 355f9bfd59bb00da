package pages

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"

	"github.com/gofiber/fiber/v2"
)

// asset is one static file, held in memory with the hash of its content.
type asset struct {
	body  []byte
	hash  string
	ctype string
}

// assets are the static files by name (app.css …).
type assets map[string]asset

// loadAssets reads the embedded static files and hashes each, so that pages link them as
// /static/app.css?v=<hash>: a new build changes the link and browsers fetch the new file, and
// otherwise they keep it for a year.
func loadAssets() (assets, error) {
	a := assets{}
	err := fs.WalkDir(pageFS, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := pageFS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ctype := mime.TypeByExtension(path.Ext(name))
		switch path.Ext(name) { // the system's MIME table may lack these or name them differently
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		}
		if ctype == "" {
			ctype = fiber.MIMEOctetStream
		}
		a[name[len("static/"):]] = asset{body: b, hash: hex.EncodeToString(sum[:6]), ctype: ctype}
		return nil
	})
	return a, err
}

// url is the link to a static file with its version; templates call it as {{static "app.css"}}.
// Naming a file that does not exist fails the render, so a typo shows in the tests.
func (a assets) url(name string) (string, error) {
	f, ok := a[name]
	if !ok {
		return "", fiber.NewError(fiber.StatusInternalServerError, "no static file "+name)
	}
	return "/static/" + name + "?v=" + f.hash, nil
}

// static serves an embedded file. With the current version in the query it may be cached for a year
// (the link changes when the file does); any other request must be revalidated.
func (s *server) static(c *fiber.Ctx) error {
	f, ok := s.views.assets[c.Params("*")]
	if !ok {
		return fiber.ErrNotFound
	}
	if c.Query("v") == f.hash {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	c.Set(fiber.HeaderETag, `"`+f.hash+`"`)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentType, f.ctype)
	if c.Get(fiber.HeaderIfNoneMatch) == `"`+f.hash+`"` {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(f.body)
}
