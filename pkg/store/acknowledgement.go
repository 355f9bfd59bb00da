package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"timebank/pkg/identity"
	"timebank/pkg/qr"
)

// The statement every acknowledgement carries. Only eligible public-welfare bodies may issue the
// official donation receipt (公益事业捐赠票据); what the store gives is an acknowledgement in a
// series of its own.
const (
	AckNoticeZH = "本凭证为公益仓受赠确认，不是公益事业捐赠票据，不能用于税前扣除。"
	AckNoticeEN = "This is an acknowledgement of goods received by the charity supermarket, not an official donation receipt (捐赠票据); it cannot be used for tax deduction."
)

// AckNumber formats an acknowledgement number: the store, the year and the place in the store's
// series for that year, "S12-2025-000031".
func AckNumber(storeID int64, year, seq int) string {
	return fmt.Sprintf("S%d-%d-%06d", storeID, year, seq)
}

// DonorView is the donor as an acknowledgement shows it.
type DonorView struct {
	Kind        string `json:"kind"`
	Name        string `json:"name,omitempty"`
	PhoneMasked string `json:"phone_masked,omitempty"`
}

// DonatedLine is one line of a recorded donation, with the lot it created.
type DonatedLine struct {
	Line       int    `db:"line" json:"line"`
	ItemID     int64  `db:"item_id" json:"item_id"`
	ItemName   string `db:"item_name" json:"item_name"`
	Unit       string `db:"unit" json:"unit"`
	Qty        int    `db:"qty" json:"qty"`
	BestBefore string `db:"best_before" json:"best_before,omitempty"`
	ProducedOn string `db:"produced_on" json:"produced_on,omitempty"`
	ValueFen   int64  `db:"value_fen" json:"value_fen"`
	LotID      int64  `db:"lot_id" json:"lot_id"`
}

// Acknowledgement is what the donor receives (受赠确认): the numbered record of the goods, the
// receiving store and organization, the handler and the date, with a code that proves it genuine.
type Acknowledgement struct {
	DonationID    int64         `json:"donation_id"`
	Number        string        `json:"number"`
	StoreID       int64         `json:"store_id"`
	StoreName     string        `json:"store_name"`
	OrgName       string        `json:"org_name"`
	Donor         DonorView     `json:"donor"`
	Lines         []DonatedLine `json:"lines"`
	TotalValueFen int64         `json:"total_value_fen"`
	Note          string        `json:"note,omitempty"`
	HandlerName   string        `json:"handler_name"`
	ReceivedAt    time.Time     `json:"received_at"`
	// VerifyURL is what the acknowledgement's QR code carries: a page that confirms it is genuine.
	VerifyURL string `json:"verify_url"`
	NoticeZH  string `json:"notice_zh"`
	NoticeEN  string `json:"notice_en"`
	// Replayed says the request repeated an earlier one with the same idempotency key.
	Replayed bool `json:"-"`
}

// Acknowledgement returns the acknowledgement of a donation to the store.
// Errors: ErrDonationNotFound.
func (s *Service) Acknowledgement(ctx context.Context, storeID, donationID int64) (Acknowledgement, error) {
	var row struct {
		StoreID     int64          `db:"store_id"`
		Number      string         `db:"number"`
		StoreName   string         `db:"store_name"`
		OrgName     string         `db:"org_name"`
		DonorKind   string         `db:"donor_kind"`
		DonorName   sql.NullString `db:"donor_name"`
		DonorPhone  sql.NullString `db:"donor_phone_masked"`
		Total       int64          `db:"total_value_fen"`
		Note        string         `db:"note"`
		HandlerName string         `db:"handler_name"`
		ReceivedAt  time.Time      `db:"received_at"`
	}
	err := s.db.GetContext(ctx, &row, `
SELECT d.store_id, d.number, s.name AS store_name, o.name AS org_name, d.donor_kind, d.donor_name,
       d.donor_phone_masked, d.total_value_fen, d.note, d.handler_name, d.received_at
FROM store_donations d JOIN stores s ON s.id = d.store_id JOIN organizations o ON o.id = s.org_id
WHERE d.id = $1 AND ($2::bigint = 0 OR d.store_id = $2)`, donationID, storeID)
	if errors.Is(err, sql.ErrNoRows) {
		return Acknowledgement{}, ErrDonationNotFound
	} else if err != nil {
		return Acknowledgement{}, err
	}
	a := Acknowledgement{
		DonationID: donationID, Number: row.Number, StoreID: row.StoreID, StoreName: row.StoreName,
		OrgName: row.OrgName, TotalValueFen: row.Total, Note: row.Note, HandlerName: row.HandlerName,
		ReceivedAt: row.ReceivedAt, NoticeZH: AckNoticeZH, NoticeEN: AckNoticeEN,
		Donor: DonorView{Kind: row.DonorKind, Name: row.DonorName.String, PhoneMasked: row.DonorPhone.String},
	}
	err = s.db.SelectContext(ctx, &a.Lines, `
SELECT dl.line, dl.item_id, i.name AS item_name, i.unit, dl.qty,
       coalesce(to_char(dl.best_before, 'YYYY-MM-DD'), '') AS best_before,
       coalesce(to_char(dl.produced_on, 'YYYY-MM-DD'), '') AS produced_on, dl.value_fen, dl.lot_id
FROM store_donation_lines dl JOIN store_items i ON i.id = dl.item_id
WHERE dl.donation_id = $1 ORDER BY dl.line`, donationID)
	if err != nil {
		return Acknowledgement{}, err
	}
	// A receipt code never expires and is not single use: the paper is checked years later.
	tok, _, err := s.codes.Issue(qr.Receipt, donationID, row.StoreID, time.Time{})
	if err != nil {
		return Acknowledgement{}, err
	}
	a.VerifyURL = qr.URL(s.opt.BaseURL, tok)
	return a, nil
}

// VerifyReceipt checks the code of a printed acknowledgement (the token, or the whole URL a phone
// opened) and returns the acknowledgement as anyone may see it: a resident donor's name masked,
// no phone number.
// Errors: ErrCodeInvalid, ErrDonationNotFound.
func (s *Service) VerifyReceipt(ctx context.Context, token string) (Acknowledgement, error) {
	c, err := s.codes.Verify(token, qr.Receipt, s.now())
	if err != nil {
		return Acknowledgement{}, codeError(err)
	}
	a, err := s.Acknowledgement(ctx, c.Aux, c.Subject)
	if err != nil {
		return Acknowledgement{}, err
	}
	if a.Donor.Kind == DonorResident {
		a.Donor.Name = identity.MaskName(a.Donor.Name)
	}
	a.Donor.PhoneMasked = ""
	return a, nil
}

// codeError turns the errors of a scanned code into the store's.
func codeError(err error) error {
	switch {
	case errors.Is(err, qr.ErrExpired):
		return ErrCodeExpired
	case errors.Is(err, qr.ErrSpent):
		return ErrCodeUsed
	case errors.Is(err, qr.ErrMalformed), errors.Is(err, qr.ErrBadSignature), errors.Is(err, qr.ErrUnknownKey),
		errors.Is(err, qr.ErrWrongType):
		return ErrCodeInvalid
	}
	return err
}
