package care

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/chinatime"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// Pairing is a volunteer of an organization (or, with no volunteer, the organization's whole team)
// paired with a person for a period (结对). The organization records the pair's visits.
type Pairing struct {
	ID         int64      `db:"id" json:"id"`
	PersonID   int64      `db:"person_id" json:"person_id"`
	UserID     *int64     `db:"user_id" json:"user_id,omitempty"`
	UserName   string     `db:"user_name" json:"user_name,omitempty"`
	OrgID      int64      `db:"org_id" json:"org_id"`
	OrgName    string     `db:"org_name" json:"org_name"`
	StartsOn   time.Time  `db:"starts_on" json:"starts_on"`
	EndsOn     *time.Time `db:"ends_on" json:"ends_on,omitempty"`
	CreatedBy  string     `db:"created_by" json:"created_by"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	RegionCode string     `db:"region_code" json:"-"`
	Ended      bool       `db:"ended" json:"-"` // ended by someone (EndPairing), not only by its planned end
	Replayed   bool       `db:"-" json:"-"`     // answered from an earlier pairing under the same key
}

// OpenOn reports whether the pairing still runs on day (a China Standard Time midnight) and can be
// ended: nobody ended it and its planned end, if any, is not before day.
func (p Pairing) OpenOn(day time.Time) bool {
	return !p.Ended && (p.EndsOn == nil || !p.EndsOn.Before(day))
}

const pairingQuery = `SELECT c.id, c.person_id, c.user_id, coalesce(u.name, '') AS user_name, c.org_id, o.name AS org_name,
    c.starts_on, c.ends_on, c.created_by, c.created_at, p.region_code, c.ended_by IS NOT NULL AS ended
FROM care_pairings c JOIN organizations o ON o.id = c.org_id JOIN care_people p ON p.id = c.person_id
LEFT JOIN users u ON u.id = c.user_id`

// NewPairing pairs a person with a volunteer of an organization (UserID) or with its team (no
// UserID), from StartsOn (default today) until EndsOn (none: open).
type NewPairing struct {
	PersonID int64  `json:"person_id"`
	OrgID    int64  `json:"org_id"`
	UserID   *int64 `json:"user_id,omitempty"`
	StartsOn string `json:"starts_on,omitempty"` // YYYY-MM-DD
	EndsOn   string `json:"ends_on,omitempty"`
}

func (s *Service) today() time.Time { return chinatime.Midnight(s.opt.Now()) }

func parseDay(v string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, v, chinatime.Zone())
	return t, err == nil
}

// Pair records a pairing without an idempotency key, for the service's own callers (the demo,
// tests); requests and forms go through PairOnce.
func (s *Service) Pair(ctx context.Context, by *principal.Principal, n NewPairing) (Pairing, error) {
	return s.PairOnce(ctx, by, "", n)
}

// PairOnce records a pairing, with an audit entry, under the principal's idempotency key: the same
// key with the same pairing returns the first (Replayed), with another it is ErrIdempotency. The
// volunteer must be a member of the organization.
// Errors: ErrInvalid (*fields.Error: idempotency_key, person_id, org_id, user_id not_member, starts_on,
// ends_on), ErrIdempotency.
func (s *Service) PairOnce(ctx context.Context, by *principal.Principal, key string, n NewPairing) (Pairing, error) {
	if err := checkKey(key); err != nil {
		return Pairing{}, err
	}
	bad := fields.Set{}
	starts, ends := s.today(), (*time.Time)(nil)
	if n.StartsOn != "" {
		var ok bool
		if starts, ok = parseDay(n.StartsOn); !ok {
			bad["starts_on"] = "date"
		}
	}
	if n.EndsOn != "" {
		e, ok := parseDay(n.EndsOn)
		switch {
		case !ok:
			bad["ends_on"] = "date"
		case e.Before(starts):
			bad["ends_on"] = "before_start"
		}
		ends = &e
	}
	if n.PersonID <= 0 {
		bad["person_id"] = "required"
	}
	if n.OrgID <= 0 {
		bad["org_id"] = "required"
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return Pairing{}, err
	}
	hash := s.requestHash("pairing", n)
	if id, err := s.replayed(ctx, "care_pairings", by, key, hash); err != nil || id != 0 {
		return s.replayPairing(ctx, id, err)
	}
	var id int64
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var region string
		if err := tx.GetContext(ctx, &region, `SELECT region_code FROM care_people WHERE id = $1`, n.PersonID); err != nil {
			return notFound(err, invalid("person_id", "not_found"))
		}
		if n.UserID != nil {
			var member bool
			err := tx.GetContext(ctx, &member, `SELECT EXISTS (SELECT 1 FROM role_grants
WHERE user_id = $1 AND org_id = $2 AND revoked_at IS NULL)`, *n.UserID, n.OrgID)
			if err != nil {
				return err
			}
			if !member {
				return invalid("user_id", "not_member")
			}
		}
		err := tx.GetContext(ctx, &id, `INSERT INTO care_pairings (person_id, user_id, org_id, starts_on, ends_on, created_by,
    idem_key, request_hash) VALUES ($1, $2, $3, $4, $5, $6, nullif($7, ''), $8) RETURNING id`,
			n.PersonID, n.UserID, n.OrgID, starts, ends, by.Label(), key, keyed(key, hash))
		if isFK(err) {
			return invalid("org_id", "not_found")
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "care.pair", Target: ref("care_pairing", id),
			RegionCode: region, After: map[string]any{"person": n.PersonID, "org": n.OrgID, "user": n.UserID}})
	})
	if pgerr.Unique(err, "care_pairings_idempotency") {
		id, err = s.replayed(ctx, "care_pairings", by, key, hash)
		return s.replayPairing(ctx, id, err)
	}
	if err != nil {
		return Pairing{}, err
	}
	return s.Pairing(ctx, id)
}

func (s *Service) replayPairing(ctx context.Context, id int64, err error) (Pairing, error) {
	if err != nil {
		return Pairing{}, err
	}
	p, err := s.Pairing(ctx, id)
	p.Replayed = true
	return p, err
}

// Pairing returns a pairing.
// Errors: ErrPairingNotFound.
func (s *Service) Pairing(ctx context.Context, id int64) (Pairing, error) {
	var p Pairing
	err := s.db.GetContext(ctx, &p, pairingQuery+` WHERE c.id = $1`, id)
	return p, notFound(err, ErrPairingNotFound)
}

// Pairings returns the person's pairings, the latest first.
func (s *Service) Pairings(ctx context.Context, personID int64) ([]Pairing, error) {
	out := []Pairing{}
	err := s.db.SelectContext(ctx, &out, pairingQuery+` WHERE c.person_id = $1 ORDER BY c.id DESC`, personID)
	return out, err
}

// EndPairing ends a pairing today (or on the day it started, if that is later), once.
// Errors: ErrPairingNotFound, ErrPairingEnded.
func (s *Service) EndPairing(ctx context.Context, by *principal.Principal, id int64) (Pairing, error) {
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var region string
		err := tx.GetContext(ctx, &region, `UPDATE care_pairings c SET ends_on = greatest(c.starts_on, $2::date), ended_by = $3
FROM care_people p WHERE c.id = $1 AND p.id = c.person_id AND c.ended_by IS NULL
  AND (c.ends_on IS NULL OR c.ends_on >= $2::date) RETURNING p.region_code`, id, s.today(), by.Label())
		if err != nil {
			if _, e := s.Pairing(ctx, id); e != nil {
				return e
			}
			return notFound(err, ErrPairingEnded)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "care.unpair", Target: ref("care_pairing", id), RegionCode: region})
	})
	if err != nil {
		return Pairing{}, err
	}
	return s.Pairing(ctx, id)
}
