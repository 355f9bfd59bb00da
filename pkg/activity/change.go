package activity

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/audit"
	"timebank/pkg/notify"
	"timebank/pkg/principal"
)

// ActivityChange is what a coordinator may change of an activity before it starts: its content,
// place, time and capacity. A nil field stays as it is.
type ActivityChange struct {
	Title        *string    `json:"title,omitempty"`
	Content      *string    `json:"content,omitempty"`
	Address      *string    `json:"address,omitempty"`
	Latitude     *float64   `json:"latitude,omitempty"`
	Longitude    *float64   `json:"longitude,omitempty"`
	RadiusM      *int       `json:"radius_m,omitempty"`
	StartsAt     *time.Time `json:"starts_at,omitempty"`
	EndsAt       *time.Time `json:"ends_at,omitempty"`
	Capacity     *int       `json:"capacity,omitempty"`
	LeaderName   *string    `json:"leader_name,omitempty"`
	PeopleServed *string    `json:"people_served,omitempty"`
}

// apply returns the activity as a new activity with the change made, for the creation's checks.
func (c ActivityChange) apply(a Activity) NewActivity {
	n := NewActivity{OrgID: a.OrgID, Title: a.Title, Content: a.Content, Category: a.Category, Address: a.Address,
		Latitude: a.Latitude, Longitude: a.Longitude, RadiusM: a.RadiusM, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
		Capacity: a.Capacity, SignupRequired: a.SignupRequired, LeaderName: a.LeaderName, PeopleServed: a.PeopleServed}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&n.Title, c.Title)
	set(&n.Content, c.Content)
	set(&n.Address, c.Address)
	set(&n.LeaderName, c.LeaderName)
	set(&n.PeopleServed, c.PeopleServed)
	if c.Latitude != nil || c.Longitude != nil {
		n.Latitude, n.Longitude = c.Latitude, c.Longitude
	}
	if c.RadiusM != nil {
		n.RadiusM = c.RadiusM
	}
	if c.StartsAt != nil {
		n.StartsAt = *c.StartsAt
	}
	if c.EndsAt != nil {
		n.EndsAt = *c.EndsAt
	}
	if c.Capacity != nil {
		n.Capacity = c.Capacity
	}
	return n
}

// UpdateActivity changes the activity before it starts, under the rules of a new one (no start in
// the past, no longer than the organization's policy allows, ends after it starts), and never below
// the places already taken. The volunteers signed up are told when its time or place changed.
// Errors: ErrActivityNotFound, ErrActivityCancelled, ErrActivityStarted, ErrInvalid (*fields.Error).
func (s *Service) UpdateActivity(ctx context.Context, by *principal.Principal, id int64, c ActivityChange) (Activity, error) {
	var out Activity
	err := s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		a, err := s.getActivity(ctx, tx, id, true)
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case a.Status == StatusActivityCancelled:
			return ErrActivityCancelled
		case !now.Before(a.StartsAt):
			return ErrActivityStarted
		}
		p, err := policyOf(ctx, s.stmts, tx, a.OrgID)
		if err != nil {
			return err
		}
		n := c.apply(a)
		if _, err := n.validate(now, p.MaxActivityLength()); err != nil {
			return err
		}
		if n.Capacity != nil && *n.Capacity < a.Signups {
			return fields.New(ErrInvalid, "capacity", "below_signups")
		}
		err = tx.GetContext(ctx, &out.Revision, `
UPDATE activities SET title = $2, content = $3, address = $4, latitude = $5, longitude = $6, radius_m = $7,
    starts_at = $8, ends_at = $9, capacity = $10, leader_name = $11, people_served = $12, revision = revision + 1
WHERE id = $1 RETURNING revision`, id, n.Title, n.Content, n.Address, n.Latitude, n.Longitude, n.RadiusM,
			n.StartsAt, n.EndsAt, n.Capacity, n.LeaderName, n.PeopleServed)
		if err != nil {
			return createError(err)
		}
		if out, err = s.getActivity(ctx, tx, id, false); err != nil {
			return err
		}
		moved := !out.StartsAt.Equal(a.StartsAt) || !out.EndsAt.Equal(a.EndsAt) || out.Address != a.Address
		if moved {
			if err := s.tellSignedUp(ctx, tx, out, notify.ActivityChanged, fmt.Sprintf("activity:%d:rev:%d", id, out.Revision),
				map[string]any{"activity": out.Title, "starts_at": out.StartsAt, "ends_at": out.EndsAt, "place": out.Address}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "activity.update",
			Target: "activity:" + itoa(id), OrgID: a.OrgID, Before: a, After: out})
	})
	return out, err
}

// tellSignedUp writes a notice to every volunteer with an active sign-up, or an attendance, at the
// activity, in the caller's transaction; its parameters gain the activity's id (activity_id), so
// the notice leads to the activity's page.
func (s *Service) tellSignedUp(ctx context.Context, tx *sqlx.Tx, a Activity, kind, event string, params map[string]any) error {
	if s.notify == nil {
		return nil
	}
	var users []int64
	if err := tx.SelectContext(ctx, &users, `
SELECT user_id FROM signups WHERE activity_id = $1 AND status = 'active'
UNION SELECT user_id FROM attendances WHERE activity_id = $1 ORDER BY 1`, a.ID); err != nil {
		return err
	}
	params["activity_id"] = a.ID
	ns := make([]notify.Notice, len(users))
	for i, u := range users {
		ns[i] = notify.Notice{UserID: u, Kind: kind, Event: event, Params: params}
	}
	return s.notify.Write(ctx, tx, ns...)
}
