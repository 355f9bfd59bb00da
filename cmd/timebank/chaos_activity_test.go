package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// chaosActivity is the earning part of the chaos load: volunteers scan the kiosk's check-in code,
// then its check-out code, and the organization approves the attendance, through the HTTP API.
type chaosActivity struct {
	world     checkinWorld
	in, out   *checkinCodes
	next      atomic.Int64 // the next volunteer to come
	sessionOf func(user int64) (string, error)

	mu         sync.Mutex
	checkedIn  map[int64]int64 // attendance → volunteer, of acknowledged check-ins
	checkedOut map[int64]bool  // acknowledged check-outs
	verified   map[int64]bool  // acknowledged approvals
	signedOut  int
}

// newChaosActivity sets up an organization with activities under way and volunteers with sessions,
// and keeps the kiosks' codes fresh until the test ends.
func newChaosActivity(t *testing.T, s *chaosStore, volunteers int) *chaosActivity {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	world, err := setupCheckin(ctx, s.deps, checkinOpts{volunteers: volunteers, activities: 2})
	if err != nil {
		t.Fatal(err)
	}
	a := &chaosActivity{world: world, checkedIn: map[int64]int64{}, checkedOut: map[int64]bool{}, verified: map[int64]bool{},
		sessionOf: func(user int64) (string, error) { return s.deps.Sessions.Create(context.Background(), user, true) }}
	for _, out := range []bool{false, true} {
		k := &checkinCodes{acts: s.deps.Activities, ids: world.activities, tokens: make([]atomic.Pointer[string], len(world.activities)), checkOut: out}
		next, err := k.fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		go k.keepFresh(ctx, next)
		if out {
			a.out = k
		} else {
			a.in = k
		}
	}
	return a
}

// serve brings the next volunteer: check-in, check-out and approval, each retried until definitive.
// It reports false when every volunteer has come.
func (a *chaosActivity) serve(l *chaosLoad, giveUp time.Time) bool {
	i := int(a.next.Add(1) - 1)
	if i >= len(a.world.volunteers) {
		return false
	}
	v := &a.world.volunteers[i]
	scan := func(codes *checkinCodes, want string) int64 {
		body := fmt.Sprintf(`{"token":%q}`, codes.token(v.activity))
		status, b := l.sendAs(v.session, "/api/v1/scans", "", body, giveUp)
		if status == 401 { // Redis lost the session: sign in again
			if tok, err := a.sessionOf(v.user); err == nil {
				v.session = tok
				a.mu.Lock()
				a.signedOut++
				a.mu.Unlock()
				status, b = l.sendAs(v.session, "/api/v1/scans", "", body, giveUp)
			}
		}
		var res struct {
			Action     string
			Attendance struct{ ID int64 }
		}
		if status/100 != 2 || json.Unmarshal(b, &res) != nil || res.Action != want {
			return 0
		}
		return res.Attendance.ID
	}
	att := scan(a.in, "checked_in")
	if att == 0 {
		return true
	}
	a.mu.Lock()
	a.checkedIn[att] = v.user
	a.mu.Unlock()
	if scan(a.out, "checked_out") != att {
		return true
	}
	a.mu.Lock()
	a.checkedOut[att] = true
	a.mu.Unlock()
	status, b := l.send("/api/v1/attendances/verify", "", fmt.Sprintf(`{"ids":[%d],"action":"approve"}`, att), giveUp)
	var res struct{ Results []struct{ Status string } }
	if status/100 == 2 && json.Unmarshal(b, &res) == nil && len(res.Results) == 1 && res.Results[0].Status == "verified" {
		a.mu.Lock()
		a.verified[att] = true
		a.mu.Unlock()
	}
	return true
}

// check: every acknowledged check-in is the volunteer's one attendance; every acknowledged
// check-out is closed; every acknowledged approval has its one service record and, when it credits
// anything, its one earning.
func (a *chaosActivity) check(t *testing.T, scenario string, db *sqlx.DB) {
	t.Helper()
	a.mu.Lock()
	var in, users, out, ok []int64
	for att, u := range a.checkedIn {
		in, users = append(in, att), append(users, u)
	}
	for att := range a.checkedOut {
		out = append(out, att)
	}
	for att := range a.verified {
		ok = append(ok, att)
	}
	a.mu.Unlock()
	var bad []string
	err := db.Select(&bad, `
SELECT 'check-in ' || a.att FROM unnest($1::bigint[], $2::bigint[]) AS a (att, usr)
WHERE (SELECT count(*) FROM attendances x WHERE x.user_id = a.usr AND x.id = a.att AND x.check_in_at IS NOT NULL) <> 1
   OR (SELECT count(*) FROM attendances x WHERE x.user_id = a.usr
       AND x.activity_id = (SELECT activity_id FROM attendances WHERE id = a.att)) <> 1
UNION ALL
SELECT 'check-out ' || a.att FROM unnest($3::bigint[]) AS a (att)
WHERE NOT EXISTS (SELECT FROM attendances x WHERE x.id = a.att AND x.check_out_at IS NOT NULL)
UNION ALL
SELECT 'approval ' || a.att FROM unnest($4::bigint[]) AS a (att)
WHERE (SELECT count(*) FROM service_records r WHERE r.attendance_id = a.att) <> 1
   OR EXISTS (SELECT FROM service_records r WHERE r.attendance_id = a.att AND r.credits > 0
              AND (SELECT count(*) FROM ledger_transactions t
                   WHERE t.idempotency_key = 'activity:record:' || r.id || ':rev:1') <> 1)`,
		pq.Int64Array(in), pq.Int64Array(users), pq.Int64Array(out), pq.Int64Array(ok))
	if err != nil {
		t.Fatalf("%s: %v", scenario, err)
	}
	if len(bad) > 0 {
		t.Errorf("%s: %d scans or approvals are not as acknowledged, e.g. %v", scenario, len(bad), bad[:min(5, len(bad))])
	}
}

func (a *chaosActivity) summary() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return fmt.Sprintf("%d check-ins, %d check-outs, %d approvals acknowledged; %d volunteers signed out by Redis",
		len(a.checkedIn), len(a.checkedOut), len(a.verified), a.signedOut)
}
