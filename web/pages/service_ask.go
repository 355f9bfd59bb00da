package pages

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/chinatime"
	"timebank/pkg/servicedesk"
	"timebank/web/guard"
)

// askView is the resident's request form on a desk's printed code: few fields, large, for elderly
// people and their children on a phone.
type askView struct {
	Token      string // the desk's code, posted back
	Key        string // the form's idempotency key: a double tap is one request
	Team       string
	Community  string
	Categories []string
	Slots      []askSlot
	CodeSent   bool
	OnBehalf   bool // a signed-in person who may act for the desk's residents asks: no SMS code
}

// askSlot is one time the resident may ask for, as a choice rather than a date picker.
type askSlot struct {
	Value string // RFC 3339
	Label string
}

// askFields are the form's fields, top to bottom.
var askFields = []string{"category", "slot", "address", "name", "phone", "sms_code", "note", "for_self", "key", "token"}

// serviceAskPage is what a desk's printed code opens: the request form.
func (s *scanPages) serviceAskPage(c *fiber.Ctx, token string) error {
	f := form{Values: map[string]string{"for_self": "1", "key": storeFormKey(), "token": token}}
	return s.renderAsk(c, fiber.StatusOK, f, false)
}

func (s *server) renderAsk(c *fiber.Ctx, status int, f form, sent bool) error {
	d, err := s.ServiceDesk.DeskByCode(c.UserContext(), f.Values["token"])
	if err != nil {
		return err
	}
	v := s.newView(c, "page.svc.ask.title")
	v.Form = f
	by, err := s.ServiceDesk.OnBehalf(c.UserContext(), guard.Principal(c), f.Values["token"])
	if err != nil {
		return err
	}
	v.Data = askView{Token: f.Values["token"], Key: f.Values["key"], Team: d.OrgName, Community: d.CommunityName,
		Categories: servicedesk.Categories, Slots: askSlots(time.Now()), CodeSent: sent, OnBehalf: by != nil}
	return s.render(c, status, "service_ask", v)
}

// askSlots are the next half days: this afternoon (or tomorrow morning) and so on, six of them.
func askSlots(now time.Time) []askSlot {
	now = now.In(chinatime.Zone())
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, chinatime.Zone())
	var out []askSlot
	for d := 0; len(out) < 6; d++ {
		for _, h := range []int{9, 14} {
			t := day.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
			if t.Before(now.Add(-time.Hour)) || len(out) == 6 {
				continue
			}
			out = append(out, askSlot{Value: t.Format(time.RFC3339), Label: t.Format("01-02 15:04")})
		}
	}
	return out
}

// serviceAskSubmit sends the SMS code (action "code") or makes the request, then opens the
// resident's page of it.
func (s *server) serviceAskSubmit(c *fiber.Ctx) error {
	f := readForm(c, askFields...)
	if c.FormValue("action") == "code" {
		send, err := s.smsSend(c)
		if err == nil {
			err = s.ServiceDesk.RequestCode(c.UserContext(), f.Values["phone"], send)
		}
		if err != nil {
			status, err := s.failForm(c, &f, err, map[string]string{"sms-unavailable": "phone"})
			if err != nil {
				return err
			}
			return s.renderAsk(c, status, f, false)
		}
		return s.renderAsk(c, fiber.StatusOK, f, true)
	}
	wanted, _ := time.Parse(time.RFC3339, f.Values["slot"])
	n := servicedesk.NewRequest{DeskCode: f.Values["token"], Category: f.Values["category"], WantedAt: wanted,
		Address: f.Values["address"], Name: f.Values["name"], Phone: f.Values["phone"], Note: f.Values["note"],
		ForSelf: f.Values["for_self"] != "", SMSCode: f.Values["sms_code"]}
	by, err := s.ServiceDesk.OnBehalf(c.UserContext(), guard.Principal(c), n.DeskCode)
	if err != nil {
		return err
	}
	created, err := s.ServiceDesk.Create(c.UserContext(), by, f.Values["key"], n)
	if err != nil {
		status, err := s.failForm(c, &f, err, map[string]string{"sms-code-wrong": "sms_code"})
		if err != nil {
			return err
		}
		return s.renderAsk(c, status, f, false)
	}
	s.setAccessCookie(c, created.Request.ID, created.Access) // the key stays out of the address
	noReferrer(c)
	return redirect(c, minePath(created.Request.ID))
}
