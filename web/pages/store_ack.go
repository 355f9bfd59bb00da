package pages

import (
	"html/template"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/request"
)

// ackView is a donation's acknowledgement (受赠确认) as the donor receives it on paper.
type ackView struct {
	Paper, Self string
	Store       storeHead
	Ack         store.Acknowledgement
	DonorKind   string
	Lines       []ackLine
	Total       string // yuan
	QR          template.URL
	New         bool
}

// ackLine is a donated line with its value in yuan.
type ackLine struct {
	store.DonatedLine
	Value string
}

// acknowledgementPage shows a donation's acknowledgement, laid out for A5 paper (or an 80 mm
// receipt printer), with its number, the code that proves it genuine, and the statement that it is
// an acknowledgement, not an official donation receipt (捐赠票据).
func (s *server) acknowledgementPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.store.ack.title")
	head, err := s.storeHead(c, v.Lang, "donate")
	if err != nil {
		return err
	}
	id, err := request.IDParam(c, "donation")
	if err != nil {
		return err
	}
	a, err := s.Store.Acknowledgement(c.UserContext(), head.ID, id)
	if err != nil {
		return err
	}
	data := ackView{Paper: printPaper(c, paperA5), Self: c.Path(), Store: head, Ack: a, New: c.Query("new") == "1",
		DonorKind: s.storeLabel(v.Lang, donorLabels, a.Donor.Kind), Total: formatYuan(a.TotalValueFen)}
	for _, l := range a.Lines {
		data.Lines = append(data.Lines, ackLine{DonatedLine: l, Value: formatYuan(l.ValueFen)})
	}
	if data.QR, err = storeQR(a.VerifyURL); err != nil {
		return err
	}
	v.Data = data
	return s.render(c, fiber.StatusOK, "store_ack", v)
}
