package pages

import (
	"context"
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/pkg/qr"
	"timebank/web/problem"
	"timebank/web/request"
)

// kioskView is the kiosk screen: the activity's rotating code, how many are in, and the box that
// reads volunteers' member codes. Its script keeps the code and the count current.
type kioskView struct {
	Activity activity.Activity
	Code     activity.Code // the check-in code when the page was made
	Over     bool          // nothing can be scanned any more
	Counts   kioskCounts
	RefreshS int // how often the code changes, in seconds
}

// kioskCounts is how many volunteers are at the activity now and how many have left.
type kioskCounts struct {
	Present int `json:"present"`
	Left    int `json:"left"`
}

// kioskPage is the coordinator's (or the organization's kiosk screen's) full-screen page at the
// site. The code image is drawn by kioskCodeImage, so the page needs no script to show it; the
// script fetches the code's expiry from the JSON API and reloads the image before it runs out.
func (s *server) kioskPage(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	a, err := s.Activities.Activity(ctx, id)
	if err != nil {
		return err
	}
	data := kioskView{Activity: a, RefreshS: int(qr.KioskStep.Seconds())}
	data.Code, err = s.Activities.KioskCode(ctx, id, false)
	switch {
	case errors.Is(err, activity.ErrActivityOver):
		data.Over = true
	case err != nil:
		return err
	}
	if data.Counts, err = s.kioskCountsOf(ctx, id); err != nil {
		return err
	}
	v := s.newView(c, "page.act.kiosk.title")
	v.Title = a.Title
	v.Data = data
	return s.render(c, fiber.StatusOK, "activity_kiosk", v)
}

// kioskCodeImage draws the activity's current check-in code (?kind=check_out: the check-out code)
// on the server: the image always shows a code the recording service accepts now.
func (s *server) kioskCodeImage(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	checkOut, err := request.CheckOut(c)
	if err != nil {
		return err
	}
	code, err := s.Activities.KioskCode(c.UserContext(), id, checkOut)
	if err != nil {
		return err
	}
	return sendCodeImage(c, code.URL)
}

// kioskStatus is the kiosk's live count, polled by its script.
func (s *server) kioskStatus(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	n, err := s.kioskCountsOf(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(n)
}

// kioskCountsOf counts the activity's attendances that scanned in: still present, or gone.
func (s *server) kioskCountsOf(ctx context.Context, id int64) (kioskCounts, error) {
	var n kioskCounts
	for after := int64(0); ; {
		q, err := s.Activities.Attendances(ctx, id, after, 1000)
		if err != nil {
			return kioskCounts{}, err
		}
		for _, it := range q.Items {
			switch {
			case it.Status == activity.StatusOpen:
				n.Present++
			case it.CheckOutAt != nil && it.Source != activity.SourceManual:
				n.Left++
			}
		}
		if q.Next == 0 {
			return n, nil
		}
		after = q.Next
	}
}

// sendCodeImage draws content as a QR code: SVG, or PNG with ?format=png, at most ?size= pixels.
// Codes change and some are single use, so no copy is kept anywhere.
func sendCodeImage(c *fiber.Ctx, content string) error {
	size := qr.DefaultSize
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 64 || n > qr.MaxSize {
			return problem.BadRequest("size", "range")
		}
		size = n
	}
	var img []byte
	var err error
	switch c.Query("format", "svg") {
	case "svg":
		img, err = qr.SVG(content, size)
		c.Set(fiber.HeaderContentType, "image/svg+xml")
	case "png":
		img, err = qr.PNG(content, size)
		c.Set(fiber.HeaderContentType, "image/png")
	default:
		return problem.BadRequest("format", "unknown")
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	return c.Send(img)
}
