package api

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"timebank/pkg/export"
	"timebank/web/guard"
	"timebank/web/problem"
)

// ExportProgress is how an export asked with ?progress=<id> goes (GET
// /api/v1/exports/progress/{id}): the rows written so far, about how many there will be, and
// whether the file is complete. An Excel workbook is sent only once it is complete, so a page shows
// this while it waits.
type ExportProgress struct {
	Rows  int  `json:"rows"`
	Total int  `json:"total"` // an estimate; -1 while unknown
	Done  bool `json:"done"`
}

// progressID is what a page may name its export's progress by: random, hard to guess, short.
var progressID = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// progressTTL is how long the progress of an export is kept after its last news.
const progressTTL = 10 * time.Minute

// progressKey is the Redis key of the progress id of the caller: each caller reads only their own.
func (s *server) progressKey(c *fiber.Ctx, id string) string {
	return s.Config.RedisPrefix + "export-progress:" + guard.Principal(c).Label() + ":" + id
}

// exportProgress reads ?progress= for streamExport: with none, ctx and a tell that does nothing;
// with one, a ctx whose export tells its rows to Redis under the caller's key, and tell for the end.
// Errors: a 400 problem for an id that is not one.
func (s *server) exportProgress(c *fiber.Ctx, ctx context.Context) (context.Context, func(rows int, done bool), error) {
	id := c.Query("progress")
	if id == "" {
		return ctx, func(int, bool) {}, nil
	}
	if !progressID.MatchString(id) {
		return ctx, nil, problem.BadRequest("progress", "format")
	}
	key := s.progressKey(c, id)
	st := ExportProgress{Total: -1}
	tell := func() {
		b, _ := json.Marshal(st) // three numbers always marshal
		wctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		// The progress is news, not a record: a Redis that does not answer only leaves the page
		// without it.
		_ = s.Redis.Set(wctx, key, b, progressTTL).Err()
	}
	tell()
	ctx = export.WithProgress(ctx, func(rows, total int) {
		if total >= 0 {
			st.Total = total
		}
		st.Rows = max(st.Rows, rows)
		tell()
	})
	return ctx, func(rows int, done bool) { st.Rows, st.Done = rows, done; tell() }, nil
}

// getExportProgress answers how the caller's export named id goes; an id never started (or
// forgotten after ten minutes) is a 404.
func (s *server) getExportProgress(c *fiber.Ctx) error {
	id := c.Params("id")
	if !progressID.MatchString(id) {
		return problem.BadRequest("id", "format")
	}
	b, err := s.Redis.Get(c.UserContext(), s.progressKey(c, id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return fiber.ErrNotFound
	} else if err != nil {
		return err
	}
	var p ExportProgress
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(p)
}
