package care

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pgerr"
	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// Visit is a recorded visit: who, when, how long, the note, and the service record it earned (none
// while visits do not earn).
type Visit struct {
	ID        int64     `db:"id" json:"id"`
	PersonID  int64     `db:"person_id" json:"person_id"`
	UserID    int64     `db:"user_id" json:"user_id"`
	UserName  string    `db:"user_name" json:"user_name"`
	OrgID     int64     `db:"org_id" json:"org_id"`
	StartedAt time.Time `db:"started_at" json:"started_at"`
	Minutes   int       `db:"minutes" json:"minutes"`
	Health    string    `db:"health" json:"health,omitempty"`
	Needs     string    `db:"needs" json:"needs,omitempty"`
	FollowUp  string    `db:"follow_up" json:"follow_up,omitempty"`
	RecordID  *int64    `db:"record_id" json:"record_id,omitempty"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	Replayed  bool      `db:"-" json:"-"`
}

const visitQuery = `SELECT v.id, v.person_id, v.user_id, u.name AS user_name, v.org_id, v.started_at, v.minutes,
    v.health, v.needs, v.follow_up, r.record_id, v.created_at
FROM care_visits v JOIN users u ON u.id = v.user_id LEFT JOIN care_visit_records r ON r.visit_id = v.id`

// NewVisit is a visit as the volunteer records it at the door: the code of the person's card they
// scanned, how long they stayed, a short note (health, needs, follow-up), and optionally a colour
// change to propose to the coordinator.
type NewVisit struct {
	Card          string `json:"card"`
	Minutes       int    `json:"minutes"`
	Health        string `json:"health,omitempty"`
	Needs         string `json:"needs,omitempty"`
	FollowUp      string `json:"follow_up,omitempty"`
	ProposeColour string `json:"propose_colour,omitempty"`
	ProposeReason string `json:"propose_reason,omitempty"`
}

// Validate checks the request.
func (n *NewVisit) Validate() error {
	bad := fields.Set{}
	if n.Card == "" {
		bad["card"] = "required"
	}
	if n.Minutes < 1 || n.Minutes > 720 {
		bad["minutes"] = "range"
	}
	var reason string
	for name, v := range map[string]*string{"health": &n.Health, "needs": &n.Needs, "follow_up": &n.FollowUp} {
		if *v, reason = (fields.Text{Max: 200}).Clean(*v); reason != "" {
			bad[name] = reason
		}
	}
	if n.ProposeColour != "" && !slices.Contains(Colours, n.ProposeColour) {
		bad["propose_colour"] = "unknown"
	}
	required := n.ProposeColour != ""
	if n.ProposeReason, reason = (fields.Text{Max: 200, Required: required}).Clean(n.ProposeReason); reason != "" {
		bad["propose_reason"] = reason
	}
	return bad.Err(ErrInvalid)
}

// RecordVisit records a visit by the signed-in volunteer to the person whose card they scanned, under
// their idempotency key: the same key with the same visit returns the first (Replayed), with another
// it is ErrIdempotency. The volunteer must be paired with the person today; the pairing's
// organization records the visit, and, with an Earner, the visit becomes a verified service record
// earning credits as an activity does. A follow-up note or a proposed colour becomes a proposal for
// the coordinator.
// Errors: ErrInvalid (*fields.Error), ErrBadCard, ErrNotPaired, ErrIdempotency.
func (s *Service) RecordVisit(ctx context.Context, p *access.Principal, key string, n NewVisit) (Visit, error) {
	if reason := ledger.KeyReason(key, ledger.MaxKey/2); reason != "" {
		return Visit{}, invalid("idempotency_key", reason)
	}
	if err := n.Validate(); err != nil {
		return Visit{}, err
	}
	if p == nil || p.UserID == 0 {
		return Visit{}, ErrNotPaired
	}
	raw, _ := json.Marshal(n)
	sum := sha256.Sum256(raw)
	hash := sum[:]
	if v, err := s.replayVisit(ctx, p.UserID, key, hash); err != nil || v.ID != 0 {
		return v, err
	}
	personID, err := s.cardPerson(ctx, n.Card)
	if err != nil {
		return Visit{}, err
	}
	orgs := MemberOrgs(p)
	var id int64
	err = s.visitTx(ctx, func(tx *sqlx.Tx, ltx *ledger.Tx) error {
		var orgID int64
		var region, place string
		err := tx.QueryRowxContext(ctx, `SELECT c.org_id, p.region_code, r.name FROM care_pairings c
JOIN care_people p ON p.id = c.person_id JOIN regions r ON r.code = p.region_code
WHERE c.person_id = $1 AND (c.user_id = $2 OR (c.user_id IS NULL AND c.org_id = ANY($3)))
  AND c.starts_on <= $4::date AND (c.ends_on IS NULL OR c.ends_on >= $4::date)
ORDER BY c.user_id IS NULL, c.id LIMIT 1`, personID, p.UserID, pq.Int64Array(orgs), s.today()).Scan(&orgID, &region, &place)
		if err != nil {
			return notFound(err, ErrNotPaired)
		}
		now := s.opt.Now()
		started := now.Add(-time.Duration(n.Minutes) * time.Minute)
		err = tx.GetContext(ctx, &id, `INSERT INTO care_visits (person_id, user_id, org_id, started_at, minutes, health, needs,
    follow_up, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			personID, p.UserID, orgID, started, n.Minutes, n.Health, n.Needs, n.FollowUp, key, hash, now)
		if err != nil {
			return err
		}
		if n.FollowUp != "" {
			if err := s.propose(ctx, tx, personID, id, "follow_up", nil, n.FollowUp); err != nil {
				return err
			}
		}
		if n.ProposeColour != "" {
			if err := s.propose(ctx, tx, personID, id, "colour", &n.ProposeColour, n.ProposeReason); err != nil {
				return err
			}
		}
		if ltx != nil {
			// The certified facts name the community and the kind of service, never the person.
			rec, err := s.opt.Activities.RecordService(ctx, ltx, activity.ServiceInput{Key: ref("care_visit", id), OrgID: orgID,
				VolunteerID: p.UserID, Title: "结对探访", Category: "elderly", Content: "上门探访关爱对象，了解健康与需求",
				Place: place, PeopleServed: "社区关爱对象 1 人", StartedAt: started, FinishedAt: now,
				ConfirmedBy: principal.Operator()})
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO care_visit_records (visit_id, record_id) VALUES ($1, $2)`, id, rec.ID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: p.Label(), Action: "care.visit", Target: ref("care_visit", id),
			RegionCode: region, OrgID: orgID, After: map[string]any{"person": personID, "minutes": n.Minutes}})
	})
	if pgerr.Unique(err, "care_visits_idempotency") {
		return s.replayVisit(ctx, p.UserID, key, hash)
	}
	if err != nil {
		return Visit{}, err
	}
	return s.visit(ctx, id)
}

// visitTx runs fn in one transaction: the ledger's when visits earn (so that balances move live
// after commit), else a plain one (ltx nil).
func (s *Service) visitTx(ctx context.Context, fn func(tx *sqlx.Tx, ltx *ledger.Tx) error) error {
	if s.opt.Ledger == nil || s.opt.Activities == nil {
		return txn.Run(ctx, s.db, func(tx *sqlx.Tx) error { return fn(tx, nil) })
	}
	return s.opt.Ledger.InTx(ctx, func(ltx *ledger.Tx) error { return fn(ltx.Sqlx(), ltx) })
}

func (s *Service) replayVisit(ctx context.Context, userID int64, key string, hash []byte) (Visit, error) {
	var id int64
	var kept []byte
	err := s.db.QueryRowxContext(ctx, `SELECT id, request_hash FROM care_visits WHERE user_id = $1 AND idem_key = $2`, userID, key).Scan(&id, &kept)
	if err != nil {
		return Visit{}, notFound(err, nil)
	}
	if string(kept) != string(hash) {
		return Visit{}, ErrIdempotency
	}
	v, err := s.visit(ctx, id)
	v.Replayed = true
	return v, err
}

func (s *Service) visit(ctx context.Context, id int64) (Visit, error) {
	var v Visit
	err := s.db.GetContext(ctx, &v, visitQuery+` WHERE v.id = $1`, id)
	return v, err
}

// Visits returns the person's visits, the latest first (at most 100).
func (s *Service) Visits(ctx context.Context, personID int64) ([]Visit, error) {
	out := []Visit{}
	err := s.db.SelectContext(ctx, &out, visitQuery+` WHERE v.person_id = $1 ORDER BY v.started_at DESC LIMIT 100`, personID)
	return out, err
}

// MemberOrgs are the organizations whose team the person belongs to (as a volunteer, coordinator or
// administrator): the pairings of those teams are theirs too.
func MemberOrgs(p *access.Principal) []int64 {
	var out []int64
	for _, g := range p.Grants {
		if g.OrgID != 0 && (g.Role == access.Volunteer || g.Role == access.Coordinator || g.Role == access.OrgAdmin) {
			out = append(out, g.OrgID)
		}
	}
	return out
}
