package activity

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/prepared"
	"timebank/pkg/principal"
)

// Activity is one occurrence of something an organization runs. Only activities that count as
// volunteer service (IsService) produce service records and credits.
type Activity struct {
	ID             int64     `db:"id" json:"id"`
	OrgID          int64     `db:"org_id" json:"org_id"`
	OrgName        string    `db:"org_name" json:"org_name"`
	SeriesID       *int64    `db:"series_id" json:"series_id,omitempty"`
	Title          string    `db:"title" json:"title"`
	Content        string    `db:"content" json:"content"`
	Category       string    `db:"category" json:"category"`
	Address        string    `db:"address" json:"address"`
	Latitude       *float64  `db:"latitude" json:"latitude,omitempty"`
	Longitude      *float64  `db:"longitude" json:"longitude,omitempty"`
	RadiusM        *int      `db:"radius_m" json:"radius_m,omitempty"`
	StartsAt       time.Time `db:"starts_at" json:"starts_at"`
	EndsAt         time.Time `db:"ends_at" json:"ends_at"`
	Capacity       *int      `db:"capacity" json:"capacity,omitempty"`
	SignupRequired bool      `db:"signup_required" json:"signup_required"`
	Signups        int       `db:"signups" json:"signups"`
	LeaderName     string    `db:"leader_name" json:"leader_name"`
	PeopleServed   string    `db:"people_served" json:"people_served"`
	IsService      bool      `db:"is_service" json:"is_service"`
	Status         string    `db:"status" json:"status"` // open or cancelled
	// Revision counts the activity's changes since it was created (1: never changed).
	Revision     int        `db:"revision" json:"revision"`
	CancelledAt  *time.Time `db:"cancelled_at" json:"cancelled_at,omitempty"`
	CancelReason *string    `db:"cancel_reason" json:"cancel_reason,omitempty"`
	CreatedAt    time.Time  `db:"created_at" json:"created_at"`
	// DistanceM is the distance from the point a list was asked near, in metres.
	DistanceM *int `db:"distance_m" json:"distance_m,omitempty"`
}

// LengthMinutes is the scheduled length of the activity in whole minutes: the most that hours
// added by hand or set by an adjustment may be.
func (a Activity) LengthMinutes() int64 { return int64(a.EndsAt.Sub(a.StartsAt) / time.Minute) }

const activityColumns = `a.id, a.org_id, o.name AS org_name, a.series_id, a.title, a.content, a.category,
	a.address, a.latitude, a.longitude, a.radius_m, a.starts_at, a.ends_at, a.capacity, a.signup_required,
	a.signups, a.leader_name, a.people_served, a.is_service, a.status, a.revision, a.cancelled_at,
	a.cancel_reason, a.created_at`

// Activity returns the activity. Errors: ErrActivityNotFound.
func (s *Service) Activity(ctx context.Context, id int64) (Activity, error) {
	return s.getActivity(ctx, s.db, id, false)
}

// getActivity reads an activity, locking its row when forUpdate (sign-ups count against it).
func (s *Service) getActivity(ctx context.Context, q prepared.Queryer, id int64, forUpdate bool) (Activity, error) {
	query := `SELECT ` + activityColumns + `, NULL::int AS distance_m
FROM activities a JOIN organizations o ON o.id = a.org_id WHERE a.id = $1`
	if forUpdate {
		query += ` FOR UPDATE OF a`
	}
	var a Activity
	err := s.stmts.Get(ctx, q, &a, query, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Activity{}, ErrActivityNotFound
	}
	return a, err
}

// ActivityOrg returns the organization that runs the activity, for the access check of a route
// about it. Errors: ErrActivityNotFound.
func (s *Service) ActivityOrg(ctx context.Context, id int64) (int64, error) {
	var orgID int64
	err := s.stmts.Get(ctx, s.db, &orgID, `SELECT org_id FROM activities WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrActivityNotFound
	}
	return orgID, err
}

// CreateActivities creates the activity, or, when it repeats weekly, every occurrence up to the
// repeat date, in one transaction with its audit entry. Times are kept to the minute.
// Errors: ErrInvalid (*fields.Error: also for an unknown category or organization).
func (s *Service) CreateActivities(ctx context.Context, by *principal.Principal, n NewActivity) ([]Activity, error) {
	p, err := s.Policy(ctx, n.OrgID)
	if err != nil {
		return nil, err
	}
	starts, err := n.validate(s.now(), p.MaxActivityLength())
	if err != nil {
		return nil, err
	}
	var out []Activity
	err = s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		var seriesID *int64
		if n.RepeatWeeklyUntil != "" {
			var id int64
			err := tx.GetContext(ctx, &id, `INSERT INTO activity_series (org_id, rule, until, created_by)
VALUES ($1, 'weekly', $2, $3) RETURNING id`, n.OrgID, n.RepeatWeeklyUntil, by.Label())
			if err != nil {
				return createError(err)
			}
			seriesID = &id
		}
		length := n.EndsAt.Sub(n.StartsAt)
		ids := make([]int64, 0, len(starts))
		for _, start := range starts {
			var id int64
			err := tx.GetContext(ctx, &id, `
INSERT INTO activities (org_id, series_id, title, content, category, address, latitude, longitude, radius_m,
    starts_at, ends_at, capacity, signup_required, leader_name, people_served, is_service, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
				n.OrgID, seriesID, n.Title, n.Content, n.Category, n.Address, n.Latitude, n.Longitude, n.RadiusM,
				start, start.Add(length), n.Capacity, n.SignupRequired, n.LeaderName, n.PeopleServed,
				n.service(), by.Label())
			if err != nil {
				return createError(err)
			}
			ids = append(ids, id)
		}
		for _, id := range ids {
			a, err := s.getActivity(ctx, tx, id, false)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "activity.create",
			Target: "activity:" + itoa(ids[0]), OrgID: n.OrgID, After: map[string]any{"ids": ids, "activity": n}})
	})
	return out, err
}

// createError names the field behind the foreign keys a new activity can break.
func createError(err error) error {
	switch {
	case pgerr.Violates(err, "", "activities_category_fkey"):
		return invalid("category", "unknown")
	case pgerr.Violates(err, "", "activities_org_id_fkey"), pgerr.Violates(err, "", "activity_series_org_id_fkey"):
		return invalid("org_id", "not_found")
	}
	return err
}

// cleanText trims *s by the one rule for text fields (fields.Text) and returns the reason it is
// unacceptable. This area has always answered a control character or invalid UTF-8 with the reason
// "encoding", and its forms and clients know that key, so the rule's "format" keeps that name here.
func cleanText(s *string, max int, required, multiline bool) string {
	var reason string
	*s, reason = fields.Text{Max: max, Required: required, Multiline: multiline}.Clean(*s)
	if reason == "format" {
		return "encoding"
	}
	return reason
}

// distanceM is the great-circle distance between two points in metres (haversine, mean Earth radius).
func distanceM(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371000.0
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Inside reports whether a scan at p lies within the activity's radius: nil when the activity has
// no position and radius, or the scan no position, so that nothing is known.
func (a Activity) Inside(p *Position) *bool {
	if p == nil || a.Latitude == nil || a.Longitude == nil || a.RadiusM == nil {
		return nil
	}
	in := distanceM(*a.Latitude, *a.Longitude, p.Lat, p.Lng) <= float64(*a.RadiusM)
	return &in
}

// CheckInOpens is when check-in opens for an activity starting at start.
func CheckInOpens(start time.Time) time.Time { return start.Add(-CheckInOpensBefore) }

// CheckInOpensBefore is how long before the scheduled start volunteers may check in (setting up);
// the hours rules then count only from the start minus the policy's grace.
const CheckInOpensBefore = time.Hour
