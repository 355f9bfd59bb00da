package certificate

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"
)

// period is the span of service a certificate covers; both empty is the whole history.
type period struct{ from, to string }

// args returns the period's bounds for SQL: NULL for the whole history.
func (p period) args() (any, any) {
	if p.from == "" {
		return nil, nil
	}
	return p.from, p.to
}

// snapshot is what a certificate certifies, read inside the issuing transaction.
type snapshot struct {
	PersonName  string  `db:"name"`
	IDMasked    *string `db:"resident_id_masked"`
	VolunteerNo string  `db:"volunteer_no"`
	OrgName     string  `db:"org_name"`
	CreditCode  *string `db:"credit_code"`
	Filing      string  `db:"filing"`
	Contact     string  `db:"contact_name"`
	records     Records
	scan        int64
	manual      int64
}

// readSnapshot reads the person, the issuer and the verified records the organization kept of the
// person in the period ("谁记录谁证明": only its own records).
// Errors: ErrUserNotFound, ErrOrgNotFound, ErrNothingToCertify.
func readSnapshot(ctx context.Context, q sqlx.QueryerContext, userID, orgID int64, p period) (snapshot, error) {
	var s snapshot
	err := sqlx.GetContext(ctx, q, &s, `
SELECT u.name, u.resident_id_masked, u.volunteer_no, o.name AS org_name, o.credit_code, o.contact_name,
       coalesce(r.name || '（' || o.filed_by || '）', '') AS filing
FROM users u, organizations o LEFT JOIN regions r ON r.code = o.filed_by
WHERE u.id = $1 AND o.id = $2`, userID, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		switch err := exists(ctx, q, `SELECT 1 FROM users WHERE id = $1`, userID); {
		case errors.Is(err, sql.ErrNoRows):
			return s, ErrUserNotFound
		case err != nil:
			return s, err
		}
		return s, ErrOrgNotFound
	} else if err != nil {
		return s, err
	}
	from, to := p.args()
	err = sqlx.SelectContext(ctx, q, &s.records, `
SELECT id AS record_id, revision, to_char(service_date, 'YYYY-MM-DD') AS date, activity_title AS activity,
       content, minutes, kind
FROM service_records
WHERE user_id = $1 AND org_id = $2 AND status = 'verified' AND minutes > 0
  AND ($3::date IS NULL OR service_date BETWEEN $3::date AND $4::date)
ORDER BY service_date, id`, userID, orgID, from, to)
	if err != nil {
		return s, err
	}
	if len(s.records) == 0 {
		return s, ErrNothingToCertify
	}
	for _, r := range s.records {
		if r.Kind == "manual" {
			s.manual += r.Minutes
		} else {
			s.scan += r.Minutes
		}
	}
	return s, nil
}

// exists returns sql.ErrNoRows when the query finds no row.
func exists(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) error {
	var one int
	return sqlx.GetContext(ctx, q, &one, query, args...)
}
