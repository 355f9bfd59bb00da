package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/notify"
	"timebank/web/guard"
	"timebank/web/notices"
	"timebank/web/problem"
	"timebank/web/request"
)

// inboxLimit is how many notices a page of the inbox holds unless ?limit= says otherwise.
const inboxLimit = 20

// NoticesPage is a page of the caller's inbox, newest first, each notice written in the caller's
// language, with the count of their unread notices.
type NoticesPage struct {
	Notices []notices.Notice `json:"notices"`
	Unread  int              `json:"unread"`
	// Next is the before= of the next, older page; absent on the last page.
	Next int64 `json:"next,omitempty"`
}

// ReadRequest is the body of POST /api/v1/me/notifications/read: the notices to mark read, or all.
type ReadRequest struct {
	IDs []int64 `json:"ids"`
	All bool    `json:"all"`
}

// ReadResult says how many notices a read request marked, and how many stay unread.
type ReadResult struct {
	Marked int `json:"marked"`
	Unread int `json:"unread"`
}

// check returns the problem with the request: exactly one of ids and all, ids positive and at most
// a page of them.
func (r ReadRequest) check() error {
	if (len(r.IDs) > 0) == r.All { // both, or neither
		return problem.BadRequest("ids", "ids_or_all")
	}
	if len(r.IDs) > notify.MaxLimit {
		return problem.BadRequest("ids", "too_many_ids")
	}
	for i, id := range r.IDs {
		if id <= 0 {
			return problem.BadRequest("ids["+strconv.Itoa(i)+"]", "not_a_number")
		}
	}
	return nil
}

// myNotifications lists a page of the caller's inbox: ?before= the next of the previous page,
// ?limit= from 1 to 100.
func (s *server) myNotifications(c *fiber.Ctx) error {
	before, err := request.QueryID(c, "before")
	if err != nil {
		return err
	}
	limit := inboxLimit
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > notify.MaxLimit {
			return problem.BadRequest("limit", "range")
		}
	}
	ctx, me := c.UserContext(), guard.Principal(c).UserID
	list, next, err := s.Notify.List(ctx, me, before, limit)
	if err != nil {
		return err
	}
	unread, err := s.Notify.Unread(ctx, me)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(NoticesPage{Notices: notices.RenderAll(s.msgs, s.msgs.Lang(c), list), Unread: unread, Next: next})
}

// readNotifications marks the caller's notices read: the ids given (those that are not the
// caller's are left alone, unseen) or all of them. Marking again changes nothing.
func (s *server) readNotifications(c *fiber.Ctx) error {
	var req ReadRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	ctx, me := c.UserContext(), guard.Principal(c).UserID
	marked, err := s.Notify.MarkRead(ctx, me, req.IDs)
	if err != nil {
		return err
	}
	unread, err := s.Notify.Unread(ctx, me)
	if err != nil {
		return err
	}
	return c.JSON(ReadResult{Marked: marked, Unread: unread})
}
