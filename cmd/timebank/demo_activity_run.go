package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
)

// demoClock is the activity service's clock during the demo: set back to when a past scan happened,
// or the real time when zero.
type demoClock struct{ at time.Time }

func (c *demoClock) now() time.Time {
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

// demoActivityRun carries out the demo's activities through an activity service on the demo clock.
type demoActivityRun struct {
	acts        *activity.Service
	clock       *demoClock
	people      map[string]identity.User // by name
	coordinator *principal.Principal     // 张丽华 creates the activities and verifies attendances
	admin       *principal.Principal     // 沈建华 adds hours by hand, so that someone else approves them
	existing    []activity.Activity
}

func newDemoActivityRun(ctx context.Context, d *app.Services, world *demoWorld) (*demoActivityRun, error) {
	// The demo's own clock moves its activities through their days; codes are signed by the
	// service's one signer, so the web layer accepts them.
	clock := &demoClock{}
	r := &demoActivityRun{clock: clock, people: map[string]identity.User{},
		acts: activity.NewService(d.DB, d.Ledger, d.Redis, d.Codes, activity.Options{BaseURL: d.Config.BaseURL,
			RedisPrefix: d.Config.RedisPrefix, Logger: d.Logger, Now: clock.now})}
	r.acts.CacheCreditPolicies(d.Invalidation) // the policies it sets are news to the store's checks
	for _, key := range []string{"coordinator", "orgadmin"} {
		u := world.users[key]
		a := &principal.Principal{UserID: u.ID, Name: u.Name}
		if key == "coordinator" {
			r.coordinator = a
		} else {
			r.admin = a
		}
	}
	for _, u := range world.users {
		r.people[u.Name] = u
	}
	if err := r.importTeam(ctx, d, world); err != nil {
		return nil, err
	}
	// Everything the organizations ever ran that is still open, past ones included.
	q := activity.ListQuery{OrgIDs: []int64{world.assoc.ID, world.team.ID},
		From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Limit: activity.MaxPage}
	for {
		page, err := r.acts.Activities(ctx, q)
		if err != nil {
			return nil, err
		}
		r.existing = append(r.existing, page.Items...)
		if q.Cursor = page.Next; q.Cursor == "" {
			return r, nil
		}
	}
}

// importTeam imports the team's roster, as its coordinator would upload it, unless everyone on it
// is a user already.
func (r *demoActivityRun) importTeam(ctx context.Context, d *app.Services, world *demoWorld) error {
	phones := make([]string, len(demoTeamRoster))
	csv := "姓名,手机号\n"
	for i, v := range demoTeamRoster {
		phones[i] = v.phone
		csv += v.name + "," + v.phone + "\n"
	}
	known, _, err := d.Users.Known(ctx, phones, nil)
	if err != nil {
		return err
	}
	if len(known) < len(phones) {
		rep, err := d.Roster.Import(ctx, identity.Change{Actor: r.coordinator, RequestID: "demo"}, world.team.ID,
			strings.NewReader(csv), "东山社区志愿服务队名单.csv", false)
		if err != nil {
			return fmt.Errorf("demo roster: %w", err)
		}
		if !rep.Imported {
			return fmt.Errorf("demo roster: not imported: %+v", rep.Errors)
		}
	}
	for _, v := range demoTeamRoster {
		u, err := d.Users.ByPhone(ctx, v.phone)
		if err != nil {
			return fmt.Errorf("demo volunteer %s: %w", v.name, err)
		}
		r.people[v.name] = u
	}
	return nil
}

// activity finds the activity (or series), creating it the first time, and plays each occurrence.
func (r *demoActivityRun) activity(ctx context.Context, da demoActivity) error {
	var occ []activity.Activity
	for _, a := range r.existing {
		if a.OrgID == da.n.OrgID && a.Title == da.n.Title &&
			(!da.sameDay || activity.DateOf(a.StartsAt) == activity.DateOf(da.n.StartsAt)) {
			occ = append(occ, a)
		}
	}
	if len(occ) == 0 {
		// Planned a week ahead, as a coordinator would have: an activity may not be created to
		// start in the past.
		r.clock.at = da.n.StartsAt.Add(-7 * 24 * time.Hour)
		if now := time.Now(); now.Before(r.clock.at) {
			r.clock.at = time.Time{}
		}
		created, err := r.acts.CreateActivities(ctx, r.coordinator, da.n)
		if err != nil {
			return err
		}
		occ = created
	}
	for i, o := range da.occ {
		if i >= len(occ) {
			break
		}
		if err := r.occurrence(ctx, occ[i], o); err != nil {
			return fmt.Errorf("%s: %w", activity.DateOf(occ[i].StartsAt), err)
		}
	}
	r.clock.at = time.Time{}
	return nil
}

// attendances returns the activity's attendances by volunteer.
func (r *demoActivityRun) attendances(ctx context.Context, id int64) (map[int64]activity.QueueItem, error) {
	q, err := r.acts.Attendances(ctx, id, 0, 1000)
	if err != nil {
		return nil, err
	}
	by := map[int64]activity.QueueItem{}
	for _, it := range q.Items {
		by[it.UserID] = it
	}
	return by, nil
}

// person returns the demo volunteer of that name.
func (r *demoActivityRun) person(name string) (identity.User, error) {
	u, ok := r.people[name]
	if !ok {
		return identity.User{}, errors.New("no demo volunteer " + name)
	}
	return u, nil
}
