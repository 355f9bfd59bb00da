package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/web/guard"
	inbox "timebank/web/notices"
	"timebank/web/request"
)

// inboxPageSize is how many notices the inbox page shows at a time.
const inboxPageSize = 30

// inboxView is a page of the person's notices, newest first, and how many are unread.
type inboxView struct {
	Notices []inbox.Notice
	Unread  int
	Older   int64 // before= of the next, older page; 0 on the last
	Paged   bool  // this page is an older one, not the newest
}

// inboxPage shows the signed-in person's notices, each written in their language and leading to
// the page it is about; unread ones stand out. Its script marks a notice read when it is opened and
// brings new ones in as the header's badge hears of them.
func (s *server) inboxPage(c *fiber.Ctx) error {
	before, err := request.QueryID(c, "before")
	if err != nil {
		return err
	}
	ctx, me := c.UserContext(), guard.Principal(c).UserID
	list, older, err := s.Notify.List(ctx, me, before, inboxPageSize)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.notices.title")
	v.Data = inboxView{Notices: inbox.RenderAll(s.msgs, v.Lang, list), Unread: v.Unread, Older: older, Paged: before != 0}
	return s.render(c, fiber.StatusOK, "notifications", v)
}

// inboxReadSubmit marks every notice of the signed-in person read, and goes back to the inbox.
func (s *server) inboxReadSubmit(c *fiber.Ctx) error {
	if _, err := s.Notify.MarkRead(c.UserContext(), guard.Principal(c).UserID, nil); err != nil {
		return err
	}
	return redirect(c, inbox.Inbox)
}
