package certificate

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/audit"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// 公示: an organization may show a certificate it issued on its public page for a period (at least
// 7 days, 民发〔2015〕149号), with the number, the masked name, the hours and the organization only;
// anyone may object meanwhile, leaving a contact, and the organization upholds or dismisses it.
const (
	MinPublicDays = 7  // the shortest 公示期
	MaxPublicDays = 30 // the longest
)

// Errors of publication.
var (
	// ErrAlreadyPublished means the certificate was published before (once per certificate).
	ErrAlreadyPublished = errors.New("certificate: already published")
	// ErrNotPublic means no certificate of that number is being published by the organization now.
	ErrNotPublic = errors.New("certificate: not being published now")
	// ErrObjectionNotFound means no objection has that id at the organization.
	ErrObjectionNotFound = errors.New("certificate: objection not found")
	// ErrObjectionDecided means the objection was upheld or dismissed already.
	ErrObjectionDecided = errors.New("certificate: objection already decided")
)

// Objection statuses.
const (
	ObjectionOpen      = "open"
	ObjectionUpheld    = "upheld"
	ObjectionDismissed = "dismissed"
)

// PublicEntry is a certificate as the public page shows it during its 公示期.
type PublicEntry struct {
	Number     string `db:"number" json:"number"`
	MaskedName string `db:"-" json:"name_masked"`
	PersonName string `db:"person_name" json:"-"`
	OrgName    string `db:"org_name" json:"organization"`
	Minutes    int64  `db:"total_minutes" json:"minutes"` // verified service minutes certified
	Hours      string `db:"-" json:"hours"`
	IssueDate  string `db:"issue_date" json:"issued_at"`
	StartsOn   string `db:"starts_on" json:"starts_on"`
	EndsOn     string `db:"ends_on" json:"ends_on"` // the last day, included
}

// Objection is what someone objected to a published certificate, as its organization reads it.
type Objection struct {
	ID        int64      `db:"id" json:"id"`
	Number    string     `db:"number" json:"number"`
	Contact   string     `db:"contact" json:"contact"`
	Body      string     `db:"body" json:"body"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	Status    string     `db:"status" json:"status"`
	Note      string     `db:"note" json:"note"`
	DecidedAt *time.Time `db:"decided_at" json:"decided_at,omitempty"`
}

// Publish shows the organization's certificate id, in force, on its public page from today for days
// days (MinPublicDays–MaxPublicDays; 0: MinPublicDays). It is audited.
// Errors: ErrInvalid, ErrNotFound, ErrNotIssued, ErrAlreadyPublished.
func (s *Service) Publish(ctx context.Context, by *principal.Principal, orgID, id int64, days int) (PublicEntry, error) {
	bad := fields.Set{}
	checkActor(by, bad)
	if days == 0 {
		days = MinPublicDays
	}
	if days < MinPublicDays || days > MaxPublicDays {
		bad["days"] = "range"
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return PublicEntry{}, err
	}
	var e PublicEntry
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		c, err := lockIssued(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		first := activity.DateOf(s.now())
		start := time.Date(first.Year, time.Month(first.Month), first.Day, 0, 0, 0, 0, time.UTC)
		_, err = tx.ExecContext(ctx, `INSERT INTO certificate_publications (certificate_id, org_id, starts_on, ends_on, published_by)
VALUES ($1, $2, $3, $4, $5)`, id, orgID, start.Format(time.DateOnly), start.AddDate(0, 0, days-1).Format(time.DateOnly), by.Label())
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "23505" {
			return ErrAlreadyPublished
		} else if err != nil {
			return err
		}
		e = PublicEntry{Number: c.Number, PersonName: c.PersonName, OrgName: c.OrgName, Minutes: c.TotalMinutes,
			IssueDate: c.IssueDate, StartsOn: start.Format(time.DateOnly), EndsOn: start.AddDate(0, 0, days-1).Format(time.DateOnly)}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "certificate.publish",
			Target: "certificate:" + itoa(id), OrgID: orgID, After: map[string]any{"from": e.StartsOn, "to": e.EndsOn}})
	})
	return e.masked(), err
}

func (e PublicEntry) masked() PublicEntry {
	e.MaskedName, e.Hours, e.PersonName = identity.MaskName(e.PersonName), ledger.FormatHours(e.Minutes), ""
	return e
}

// Public returns the organization's certificates in their 公示期 today, the newest first: what its
// public page shows to anyone, the names masked. A certificate revoked since is no longer shown.
// Errors: none of its own (database errors only).
func (s *Service) Public(ctx context.Context, orgID int64) ([]PublicEntry, error) {
	var out []PublicEntry
	err := s.db.SelectContext(ctx, &out, `SELECT c.number, c.person_name, c.org_name, c.total_minutes,
to_char(c.issue_date, 'YYYY-MM-DD') AS issue_date, to_char(p.starts_on, 'YYYY-MM-DD') AS starts_on,
to_char(p.ends_on, 'YYYY-MM-DD') AS ends_on
FROM certificate_publications p JOIN certificates c ON c.id = p.certificate_id
WHERE p.org_id = $1 AND $2::date BETWEEN p.starts_on AND p.ends_on AND c.status = 'issued'
ORDER BY p.starts_on DESC, c.id DESC LIMIT 500`, orgID, activity.DateOf(s.now()).String())
	for i := range out {
		out[i] = out[i].masked()
	}
	return out, err
}

// Object records an objection of anyone to the organization's certificate number while it is
// published, with a contact to answer it by (kept for the organization only, never shown publicly).
// Errors: ErrInvalid, ErrNotPublic.
func (s *Service) Object(ctx context.Context, orgID int64, number, contact, body string) (Objection, error) {
	bad := fields.Set{}
	if r := cleanText(&contact, 100, true); r != "" {
		bad["contact"] = r
	}
	if r := cleanText(&body, 500, true); r != "" {
		bad["body"] = r
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return Objection{}, err
	}
	o := Objection{Number: number, Contact: contact, Body: body, Status: ObjectionOpen}
	err := s.db.GetContext(ctx, &o, `INSERT INTO certificate_objections (certificate_id, contact, body)
SELECT p.certificate_id, $3, $4 FROM certificate_publications p JOIN certificates c ON c.id = p.certificate_id
WHERE p.org_id = $1 AND c.number = $2 AND $5::date BETWEEN p.starts_on AND p.ends_on AND c.status = 'issued'
RETURNING id, created_at`, orgID, number, contact, body, activity.DateOf(s.now()).String())
	if errors.Is(err, sql.ErrNoRows) {
		return Objection{}, ErrNotPublic
	}
	return o, err
}

// Objections returns the objections to the organization's published certificates, open ones
// first, then the newest.
// Errors: none of its own (database errors only).
func (s *Service) Objections(ctx context.Context, orgID int64) ([]Objection, error) {
	out := []Objection{}
	err := s.db.SelectContext(ctx, &out, `SELECT o.id, c.number, o.contact, o.body, o.created_at, o.status, o.note, o.decided_at
FROM certificate_objections o JOIN certificate_publications p ON p.certificate_id = o.certificate_id
JOIN certificates c ON c.id = o.certificate_id
WHERE p.org_id = $1 ORDER BY o.status <> 'open', o.id DESC LIMIT 500`, orgID)
	return out, err
}

// DecideObjection upholds or dismisses an open objection to one of the organization's certificates,
// once, with a note (required when upheld: what the organization does about it). It is audited.
// Errors: ErrInvalid, ErrObjectionNotFound, ErrObjectionDecided.
func (s *Service) DecideObjection(ctx context.Context, by *principal.Principal, orgID, id int64, status, note string) error {
	bad := fields.Set{}
	checkActor(by, bad)
	if status != ObjectionUpheld && status != ObjectionDismissed {
		bad["status"] = "invalid"
	}
	if r := cleanText(&note, 500, status == ObjectionUpheld); r != "" {
		bad["note"] = r
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return err
	}
	return txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var was string
		err := tx.GetContext(ctx, &was, `SELECT o.status FROM certificate_objections o
JOIN certificate_publications p ON p.certificate_id = o.certificate_id WHERE o.id = $1 AND p.org_id = $2 FOR UPDATE OF o`, id, orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrObjectionNotFound
		} else if err != nil {
			return err
		}
		if was != ObjectionOpen {
			return ErrObjectionDecided
		}
		if _, err := tx.ExecContext(ctx, `UPDATE certificate_objections SET status = $2, note = $3, decided_by = $4,
decided_at = $5 WHERE id = $1`, id, status, note, by.Label(), s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "certificate.objection",
			Target: "certificate-objection:" + itoa(id), OrgID: orgID, After: map[string]any{"status": status}})
	})
}
