package certificate

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/activity"
	"timebank/pkg/audit"
	"timebank/pkg/notify"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// NewCertificate is what the organization gives when it issues a certificate (开具). With a RequestID the
// person, the period and the purpose are the accepted request's, and UserID, VolunteerNo, From, To
// and Purpose are ignored; without one the organization issues on its own initiative, to the
// volunteer UserID or, when it is 0, the one with VolunteerNo.
type NewCertificate struct {
	RequestID   int64  `json:"request_id,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
	VolunteerNo string `json:"volunteer_no,omitempty"` // the unified volunteer number, in place of UserID
	From        string `json:"from,omitempty"`         // YYYY-MM-DD; both empty: the whole history
	To          string `json:"to,omitempty"`
	Purpose     string `json:"purpose,omitempty"`
	// ResponsibleName is the organization's 负责人 (no column of the organization keeps it); empty, the
	// one named on the organization's last certificate.
	ResponsibleName string `json:"responsible_name,omitempty"`
	// HandlerName is the 经办人 printed on the certificate; empty, the name of whoever issues it.
	HandlerName string `json:"handler,omitempty"`
	Contact     string `json:"contact,omitempty"` // default: the organization's contact
	Notes       string `json:"notes,omitempty"`
}

// check validates the fields the organization gives.
func (in *NewCertificate) check(bad fields.Set) period {
	if r := cleanText(&in.ResponsibleName, 50, true); r != "" {
		bad["responsible_name"] = r
	}
	if r := cleanText(&in.HandlerName, 50, false); r != "" {
		bad["handler"] = r
	}
	if r := cleanText(&in.Contact, 100, false); r != "" {
		bad["contact"] = r
	}
	if r := cleanText(&in.Notes, 500, false); r != "" {
		bad["notes"] = r
	}
	if in.RequestID != 0 {
		return period{}
	}
	in.VolunteerNo = strings.ToUpper(strings.TrimSpace(in.VolunteerNo))
	switch {
	case in.UserID < 0:
		bad["user_id"] = "range"
	case in.UserID == 0 && in.VolunteerNo == "":
		bad["volunteer_no"] = "required"
	case in.UserID == 0 && len(in.VolunteerNo) > 32:
		bad["volunteer_no"] = "too_long"
	}
	checkPurpose(in.Purpose, bad)
	return checkPeriod(in.From, in.To, bad)
}

// Issue issues a certificate of the service orgID recorded for a volunteer, numbered next in the
// organization's series of the year, signed, and entered in the register, with its audit entry.
// It certifies the verified records of the period with hours; a record under an open dispute is
// left out until the dispute is settled (then Stale finds the certificate).
// Errors: ErrInvalid, ErrOrgNotFound, ErrUserNotFound, ErrNothingToCertify, ErrRequestNotFound,
// ErrRequestNotAccepted.
func (s *Service) Issue(ctx context.Context, by *principal.Principal, orgID int64, in NewCertificate) (Certificate, error) {
	p, err := s.prepare(ctx, by, orgID, &in)
	if err != nil {
		return Certificate{}, err
	}
	var c Certificate
	err = txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		c, err = s.issueTx(ctx, tx, by, orgID, in, p)
		return err
	})
	return c, err
}

// prepare fills in the 负责人 the organization named last when none is given, and checks the
// actor and what the organization gives.
// Errors: ErrInvalid.
func (s *Service) prepare(ctx context.Context, by *principal.Principal, orgID int64, in *NewCertificate) (period, error) {
	if strings.TrimSpace(in.ResponsibleName) == "" {
		last, err := s.LastResponsible(ctx, orgID)
		if err != nil {
			return period{}, err
		}
		in.ResponsibleName = last
	}
	bad := fields.Set{}
	checkActor(by, bad)
	p := in.check(bad)
	return p, bad.Err(ErrInvalid)
}

// LastResponsible returns the 负责人 named on the organization's last certificate, "" before its first:
// what a form offers, and what Issue prints when none is given.
// Errors: none of its own (database errors only).
func (s *Service) LastResponsible(ctx context.Context, orgID int64) (string, error) {
	var name string
	err := s.db.GetContext(ctx, &name, `SELECT responsible_name FROM certificates WHERE org_id = $1
ORDER BY id DESC LIMIT 1`, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// issueTx issues inside tx; in is checked already.
func (s *Service) issueTx(ctx context.Context, tx *sqlx.Tx, by *principal.Principal, orgID int64, in NewCertificate, p period) (Certificate, error) {
	var reqID any
	if in.RequestID != 0 {
		var r Request
		err := tx.GetContext(ctx, &r, `SELECT `+requestColumns+` FROM certificate_requests r
WHERE r.id = $1 AND r.org_id = $2 FOR UPDATE`, in.RequestID, orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return Certificate{}, ErrRequestNotFound
		} else if err != nil {
			return Certificate{}, err
		}
		if r.Status != RequestAccepted {
			return Certificate{}, ErrRequestNotAccepted
		}
		in.UserID, in.Purpose, p, reqID = r.UserID, r.Purpose, period{r.From, r.To}, r.ID
	} else if in.UserID == 0 {
		err := tx.GetContext(ctx, &in.UserID, `SELECT id FROM users WHERE volunteer_no = $1`, in.VolunteerNo)
		if errors.Is(err, sql.ErrNoRows) {
			return Certificate{}, ErrUserNotFound
		} else if err != nil {
			return Certificate{}, err
		}
	}
	snap, err := readSnapshot(ctx, tx, in.UserID, orgID, p)
	if err != nil {
		return Certificate{}, err
	}
	day := activity.DateOf(s.now())
	// The keys are read in the transaction: a rotation committed by any instance signs from then on.
	sg, err := s.signerOf(ctx, tx)
	if err != nil {
		return Certificate{}, err
	}
	// The counter row is locked until the transaction ends: numbers are given one at a time, and a
	// transaction that rolls back gives its number back.
	var seq int64
	if err := tx.GetContext(ctx, &seq, `
INSERT INTO certificate_counters (org_id, year, last) VALUES ($1, $2, 1)
ON CONFLICT (org_id, year) DO UPDATE SET last = certificate_counters.last + 1 RETURNING last`,
		orgID, day.Year); err != nil {
		return Certificate{}, err
	}
	var id int64
	if err := tx.GetContext(ctx, &id, `SELECT nextval(pg_get_serial_sequence('certificates', 'id'))`); err != nil {
		return Certificate{}, err
	}
	c := Certificate{ID: id, OrgID: orgID, UserID: in.UserID, Number: fmt.Sprintf("%04d-%d-%05d", day.Year, orgID, seq),
		IssueDate: day.String(), From: p.from, To: p.to, Purpose: in.Purpose, PersonName: snap.PersonName,
		IDType: "none", VolunteerNo: snap.VolunteerNo, TotalMinutes: snap.scan + snap.manual,
		ScanMinutes: snap.scan, ManualMinutes: snap.manual, Records: snap.records, OrgName: snap.OrgName,
		OrgCodeKind: "filing", OrgCode: snap.Filing, ResponsibleName: in.ResponsibleName, Handler: by.Label(),
		HandlerName: cmp.Or(in.HandlerName, by.Name), Contact: in.Contact, Notes: in.Notes, KeyID: sg.KeyID(), Status: StatusIssued}
	if snap.IDMasked != nil {
		c.IDType, c.IDMasked = "resident_id", *snap.IDMasked
	}
	if snap.CreditCode != nil {
		c.OrgCodeKind, c.OrgCode = "credit_code", *snap.CreditCode
	}
	if c.Contact == "" {
		c.Contact = snap.Contact
	}
	if c.Token, err = sg.sign(Claims{CertificateID: id, OrgID: orgID, IssueDate: c.IssueDate,
		TotalMinutes: c.TotalMinutes, Digest: Digest(c.Number, c.MaskedName())}); err != nil {
		return Certificate{}, err
	}
	from, to := p.args()
	if err := tx.GetContext(ctx, &c.CreatedAt, `
INSERT INTO certificates (id, org_id, user_id, request_id, year, seq, number, issue_date, period_from, period_to,
    purpose, person_name, id_type, id_masked, volunteer_no, total_minutes, scan_minutes, manual_minutes,
    records, org_name, org_code_kind, org_code, responsible_name, handler, handler_name, contact, notes,
    key_id, token)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
    $23, $24, $25, $26, $27, $28, $29)
RETURNING created_at`, c.ID, c.OrgID, c.UserID, reqID, day.Year, seq, c.Number, c.IssueDate, from, to,
		c.Purpose, c.PersonName, c.IDType, c.IDMasked, c.VolunteerNo, c.TotalMinutes, c.ScanMinutes,
		c.ManualMinutes, c.Records, c.OrgName, c.OrgCodeKind, c.OrgCode, c.ResponsibleName, c.Handler,
		c.HandlerName, c.Contact, c.Notes, c.KeyID, c.Token); err != nil {
		return Certificate{}, err
	}
	if reqID != nil {
		c.RequestID = &in.RequestID
		if _, err := tx.ExecContext(ctx, `UPDATE certificate_requests SET status = 'issued', certificate_id = $2
WHERE id = $1`, in.RequestID, c.ID); err != nil {
			return Certificate{}, err
		}
	}
	if s.notify != nil {
		// The volunteer hears of it once, through the outbox, exactly when the certificate commits.
		if err := s.notify.Write(ctx, tx, notify.Notice{UserID: c.UserID, Kind: notify.CertificateIssued,
			Params: map[string]any{"certificate": c.Number, "certificate_id": c.ID, "org": c.OrgName},
			Event:  "certificate:" + itoa(c.ID) + ":issued"}); err != nil {
			return Certificate{}, err
		}
	}
	return c, audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "certificate.issue",
		Target: "certificate:" + itoa(c.ID), OrgID: orgID, After: map[string]any{"number": c.Number,
			"user_id": c.UserID, "from": c.From, "to": c.To, "total_minutes": c.TotalMinutes,
			"records": len(c.Records), "request_id": reqID, "handler_name": c.HandlerName}})
}
