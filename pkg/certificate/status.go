package certificate

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// Get returns a certificate of the organization with its records.
// Errors: ErrNotFound.
func (s *Service) Get(ctx context.Context, orgID, id int64) (Certificate, error) {
	return getCertificate(ctx, s.db, selectCertificate+`WHERE c.id = $1 AND c.org_id = $2`, id, orgID)
}

// selectCertificate reads certificates with their records; its callers add the WHERE clause.
const selectCertificate = `SELECT ` + columns + `, c.records FROM certificates c `

// getCertificate reads one certificate, records included, with query (selectCertificate and a
// WHERE clause).
func getCertificate(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (Certificate, error) {
	var c Certificate
	err := sqlx.GetContext(ctx, q, &c, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// Revoke revokes a certificate in force with a reason, which is kept; the public check then says it
// is revoked. Nothing else of it changes.
// Errors: ErrInvalid, ErrNotFound, ErrNotIssued.
func (s *Service) Revoke(ctx context.Context, by *principal.Principal, orgID, id int64, reason string) (Certificate, error) {
	bad := fields.Set{}
	checkActor(by, bad)
	if r := cleanText(&reason, 500, true); r != "" {
		bad["reason"] = r
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return Certificate{}, err
	}
	var c Certificate
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if c, err = lockIssued(ctx, tx, orgID, id); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &c, `UPDATE certificates c SET status = 'revoked', status_reason = $2,
    status_by = $3, status_at = $4 WHERE id = $1 RETURNING `+columns+`, c.records`, id, reason, by.Label(), s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "certificate.revoke",
			Target: "certificate:" + itoa(id), OrgID: orgID, Before: map[string]any{"status": StatusIssued},
			After: map[string]any{"status": StatusRevoked, "reason": reason}})
	})
	return c, err
}

// lockIssued locks a certificate of the organization that is in force.
// Errors: ErrNotFound, ErrNotIssued.
func lockIssued(ctx context.Context, tx *sqlx.Tx, orgID, id int64) (Certificate, error) {
	c, err := getCertificate(ctx, tx, selectCertificate+`WHERE c.id = $1 AND c.org_id = $2 FOR UPDATE`, id, orgID)
	if err == nil && c.Status != StatusIssued {
		err = ErrNotIssued
	}
	return c, err
}

// Replacement is what may differ on a certificate that replaces another: the person, the period
// and the purpose are the old one's.
type Replacement struct {
	ResponsibleName string `json:"responsible_name"` // default: the old certificate's
	Contact         string `json:"contact,omitempty"`
	Notes           string `json:"notes,omitempty"`
}

// Supersede issues a replacement for a certificate in force whose records were corrected since it
// was issued (see Stale): a new certificate, with the next number, of the same person, period and
// purpose as the records stand now; the old one is marked superseded with a link to the new one.
// Errors: ErrInvalid, ErrNotFound, ErrNotIssued, ErrUnchanged (the records are as certified),
// ErrNothingToCertify (no verified record is left in the period: revoke instead).
func (s *Service) Supersede(ctx context.Context, by *principal.Principal, orgID, id int64, r Replacement) (Certificate, error) {
	var c Certificate
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		old, err := lockIssued(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		in := NewCertificate{UserID: old.UserID, From: old.From, To: old.To, Purpose: old.Purpose,
			ResponsibleName: r.ResponsibleName, Contact: r.Contact, Notes: r.Notes}
		if in.ResponsibleName == "" {
			in.ResponsibleName = old.ResponsibleName
		}
		bad := fields.Set{}
		checkActor(by, bad)
		p := in.check(bad)
		if err := bad.Err(ErrInvalid); err != nil {
			return err
		}
		snap, err := readSnapshot(ctx, tx, old.UserID, orgID, p)
		if err != nil {
			return err
		}
		if sameRecords(old.Records, snap.records) {
			return ErrUnchanged
		}
		if c, err = s.issueTx(ctx, tx, by, orgID, in, p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE certificates SET status = 'superseded', superseded_by = $2,
    status_by = $3, status_at = $4, status_reason = 'records corrected' WHERE id = $1`, id, c.ID, by.Label(), s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "certificate.supersede",
			Target: "certificate:" + itoa(id), OrgID: orgID, Before: map[string]any{"status": StatusIssued},
			After: map[string]any{"status": StatusSuperseded, "superseded_by": c.ID, "number": c.Number}})
	})
	return c, err
}

// sameRecords reports whether two snapshots certify the same revisions of the same records.
func sameRecords(a, b Records) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].RecordID != b[i].RecordID || a[i].Revision != b[i].Revision || a[i].Minutes != b[i].Minutes {
			return false
		}
	}
	return true
}

// Stale lists the organization's certificates in force whose records changed since they were issued:
// a record amended to a new revision or disputed, or a verified record added in their period. Each
// is a candidate for Supersede. Records are left out.
// Errors: none of its own (database errors only).
func (s *Service) Stale(ctx context.Context, orgID int64) ([]Certificate, error) {
	cs := []Certificate{}
	err := s.db.SelectContext(ctx, &cs, `SELECT `+columns+` FROM certificates c
WHERE c.org_id = $1 AND c.status = 'issued' AND (
    EXISTS (SELECT 1 FROM jsonb_to_recordset(c.records) AS r(record_id bigint, revision integer)
            JOIN service_records s ON s.id = r.record_id
            WHERE s.revision <> r.revision OR s.status <> 'verified')
    OR EXISTS (SELECT 1 FROM service_records s
               WHERE s.user_id = c.user_id AND s.org_id = c.org_id AND s.status = 'verified' AND s.minutes > 0
                 AND (c.period_from IS NULL OR s.service_date BETWEEN c.period_from AND c.period_to)
                 AND s.created_at > c.created_at AND s.service_date <= c.issue_date
                 AND NOT c.records @> jsonb_build_array(jsonb_build_object('record_id', s.id))))
ORDER BY c.id`, orgID)
	return cs, err
}
