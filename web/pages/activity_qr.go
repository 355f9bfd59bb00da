package pages

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/problem"
)

// qrInfoView is what a code that is not a kiosk code shows to whoever opened it: a verified (or
// refused) donation acknowledgement, or a word on what the code is for.
type qrInfoView struct {
	Kind    string // receipt, certificate, counter or unknown
	OK      bool   // the receipt is genuine
	Problem string // why it is not, translated
	Ack     store.Acknowledgement
	Total   string // the goods' value in yuan, "128.50"
	Notice  string // the acknowledgement's statement in the reader's language
}

// receiptCheckPage confirms a printed donation acknowledgement for anyone who scans its code: the
// store, the goods and the date, with a resident donor's name masked. The check is the code's
// signature, not a lookup of its number, so a forged acknowledgement is refused.
func (s *scanPages) receiptCheckPage(c *fiber.Ctx, token string) error {
	v := s.newView(c, "page.act.qr.receipt_title")
	a, err := s.Store.VerifyReceipt(c.UserContext(), token)
	if err != nil {
		status, slug := problem.Classify(err)
		if status >= 500 {
			return err
		}
		v.Data = qrInfoView{Kind: "receipt", Problem: s.msgs.Get(v.Lang, "problem."+slug)}
		return s.render(c, status, "activity_qr", v)
	}
	notice := a.NoticeZH
	if v.Lang == "en" {
		notice = a.NoticeEN
	}
	v.Data = qrInfoView{Kind: "receipt", OK: true, Ack: a, Notice: notice, Total: fenToYuan(a.TotalValueFen)}
	return s.render(c, fiber.StatusOK, "activity_qr", v)
}

// qrInfoPage says what a code is for when opening it on a phone does nothing: a member or pickup
// code is read by the scanner at the counter or kiosk; a certificate code of this kind is none of
// ours (certificates carry Ed25519 codes that open /c/<code>, see certificateCheckPage); anything
// else is not one of the service's codes.
func (s *scanPages) qrInfoPage(c *fiber.Ctx, status int, kind string) error {
	v := s.newView(c, qrInfoTitles[kind])
	v.Data = qrInfoView{Kind: kind}
	return s.render(c, status, "activity_qr", v)
}

// qrInfoTitles are the titles of the codes qrInfoPage explains.
var qrInfoTitles = map[string]string{
	"certificate": "page.act.qr.certificate_title",
	"counter":     "page.act.qr.counter_title",
	"unknown":     "page.act.qr.unknown_title",
}

// fenToYuan shows an amount in fen as yuan with two decimals.
func fenToYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}
