package main

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/principal"
)

// checkinWorld is what one check-in benchmark made: an organization, its activities in progress,
// and the volunteers, each with a session and the activity they check in to.
type checkinWorld struct {
	orgID      int64
	activities []int64
	volunteers []checkinVolunteer
}

type checkinVolunteer struct {
	user     int64
	session  string
	activity int // index into activities
}

// checkinActor is who the benchmark's set-up acts as, in the audit log: the operator, named bench.
var checkinActor = &principal.Principal{Name: "bench"}

// setupCheckin makes the organization (in Xiashi street, its region chain created if missing), the
// activities (starting in five minutes, so check-in is open), the volunteers in
// bulk as an imported roster would, and an app session for each.
func setupCheckin(ctx context.Context, svc *app.Services, o checkinOpts) (checkinWorld, error) {
	var world checkinWorld
	for _, r := range []org.NewRegion{{Code: "330000", Name: "浙江省"}, {Code: "330400", Name: "嘉兴市"},
		{Code: "330481", Name: "海宁市"}, {Code: "330481001000", Name: "硖石街道"}} {
		if _, err := svc.Orgs.CreateRegion(ctx, operatorPrincipal, r); err != nil && !errors.Is(err, org.ErrRegionExists) {
			return world, err
		}
	}
	run := mrand.IntN(1000)
	team, err := svc.Orgs.CreateOrg(ctx, operatorPrincipal, org.NewOrg{Name: fmt.Sprintf("志愿者日压测服务队 %03d-%d", run, time.Now().Unix()),
		RegionCode: "330481001000", Status: org.Filed, FiledBy: "330481001000", ContactName: "压测"})
	if err != nil {
		return world, err
	}
	world.orgID = team.ID
	// Starting in five minutes: check-in opens an hour before the start, and an activity may not be
	// created to start in the past.
	start := time.Now().Add(5 * time.Minute)
	for i := range o.activities {
		as, err := svc.Activities.CreateActivities(ctx, checkinActor, activity.NewActivity{OrgID: team.ID,
			Title: fmt.Sprintf("志愿者日集中服务 第 %d 点位", i+1), Category: "civility", Address: "海宁市硖石街道",
			StartsAt: start, EndsAt: start.Add(4 * time.Hour), LeaderName: "压测"})
		if err != nil {
			return world, err
		}
		world.activities = append(world.activities, as[0].ID)
	}
	ids, err := importCheckinVolunteers(ctx, svc, team.ID, o.volunteers, run)
	for try := 0; errors.Is(err, identity.ErrPhoneTaken) && try < 5; try++ {
		run = mrand.IntN(1000) // an earlier run on this database took these numbers
		ids, err = importCheckinVolunteers(ctx, svc, team.ID, o.volunteers, run)
	}
	if err != nil {
		return world, err
	}
	world.volunteers = make([]checkinVolunteer, len(ids))
	err = checkinParallel(ctx, 32, len(ids), func(i int) error {
		token, err := svc.Sessions.Create(ctx, ids[i], true)
		world.volunteers[i] = checkinVolunteer{user: ids[i], session: token, activity: i % len(world.activities)}
		return err
	})
	return world, err
}

// importCheckinVolunteers creates the volunteers in one transaction, as a roster import does, and
// makes them volunteers of the organization.
func importCheckinVolunteers(ctx context.Context, svc *app.Services, orgID int64, n, run int) ([]int64, error) {
	regs := make([]identity.Registration, n)
	for i := range regs {
		regs[i] = identity.Registration{Phone: checkinPhone(run, i), Name: fmt.Sprintf("志愿者%05d", i+1)}
	}
	tx, err := svc.DB.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	ids, err := svc.Users.ImportTx(ctx, tx, regs)
	if err != nil {
		return nil, err
	}
	if _, err := svc.Users.GrantManyTx(ctx, tx, identity.Change{Actor: principal.Operator(), RequestID: "bench"}, ids,
		access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: orgID}); err != nil {
		return nil, err
	}
	return ids, tx.Commit()
}

// checkinPhone is the i-th volunteer's phone number in a run: 170 (a virtual operator's prefix),
// the run's three digits, and five digits of i.
func checkinPhone(run, i int) string { return fmt.Sprintf("170%03d%05d", run, i) }

// checkinParallel calls fn for 0 … n-1 on workers goroutines and returns the first error.
func checkinParallel(ctx context.Context, workers, n int, fn func(i int) error) error {
	var (
		next  atomic.Int64
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// checkedIn counts the open attendances at the benchmark's activities: one per check-in answered.
func (w checkinWorld) checkedIn(ctx context.Context, svc *app.Services) (int, error) {
	n := 0
	for _, id := range w.activities {
		for after := int64(0); ; {
			q, err := svc.Activities.Attendances(ctx, id, after, 1000)
			if err != nil {
				return 0, err
			}
			for _, it := range q.Items {
				if it.Status == activity.StatusOpen {
					n++
				}
			}
			if after = q.Next; after == 0 {
				break
			}
		}
	}
	return n, nil
}

// checkinCodes are the activities' current check-in codes, as their kiosk screens show them: fetched
// again whenever the window turns, so that a long storm never scans an expired code.
type checkinCodes struct {
	acts     *activity.Service
	ids      []int64
	tokens   []atomic.Pointer[string]
	checkOut bool // the check-out codes rather than the check-in codes
}

func (k *checkinCodes) token(i int) string { return *k.tokens[i].Load() }

// fetch reads every activity's current code and returns when the next window starts.
func (k *checkinCodes) fetch(ctx context.Context) (time.Time, error) {
	var next time.Time
	for i, id := range k.ids {
		c, err := k.acts.KioskCode(ctx, id, k.checkOut)
		if err != nil {
			return time.Time{}, err
		}
		k.tokens[i].Store(&c.Token)
		if next.IsZero() || c.RefreshAt.Before(next) {
			next = c.RefreshAt
		}
	}
	return next, nil
}

// keepFresh fetches the codes at each new window until ctx ends. A failed fetch is tried again
// shortly: the codes held stay valid for another half window.
func (k *checkinCodes) keepFresh(ctx context.Context, next time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		n, err := k.fetch(ctx)
		if err != nil {
			next = time.Now().Add(time.Second)
			continue
		}
		next = n
	}
}
