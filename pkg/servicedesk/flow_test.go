package servicedesk_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"timebank/pkg/servicedesk"
)

// A resident asks for 助餐 by phone, a volunteer takes it, scans the request's code at the door,
// finishes; the resident confirms and rates; the volunteer's balance rises by the service's time.
func TestRequestFlow(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	vol := e.volunteer(t, "陈小燕")
	created := e.ask(t, "13800138001", "k1")
	r := created.Request
	if r.Status != servicedesk.StatusSubmitted || r.Phone != "13800138001" || !r.Unmasked {
		t.Fatalf("created = %+v", r)
	}
	// Anyone else sees the contact masked.
	other, err := e.svc.Request(ctx, r.ID, servicedesk.Viewer{UserID: 424242})
	if err != nil || other.Phone != "138****8001" || other.Address == r.Address || other.Unmasked {
		t.Fatalf("masked view = %+v %v", other, err)
	}
	if _, err = e.svc.Take(ctx, vol, r.ID); err != nil {
		t.Fatal(err)
	}
	mine, err := e.svc.Request(ctx, r.ID, servicedesk.Viewer{UserID: vol.UserID})
	if err != nil || mine.Status != servicedesk.StatusAccepted || mine.Phone != "13800138001" {
		t.Fatalf("volunteer's view = %+v %v", mine, err)
	}
	visit, err := e.svc.VisitCode(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(4 * time.Hour)
	if r, err = e.svc.Start(ctx, vol, 0, visit.URL); err != nil || r.Status != servicedesk.StatusStarted {
		t.Fatalf("start: %+v %v", r, err)
	}
	e.clock.Add(47 * time.Minute)
	if r, err = e.svc.Finish(ctx, vol, r.ID, "已送餐，老人身体状况良好"); err != nil || r.Status != servicedesk.StatusFinished {
		t.Fatalf("finish: %+v %v", r, err)
	}
	list, err := e.svc.List(ctx, servicedesk.ListQuery{OrgIDs: []int64{e.orgID}}, servicedesk.Viewer{Coordinator: true})
	if err != nil || len(list) != 1 || list[0].Phone != "13800138001" {
		t.Fatalf("dispatch list = %+v %v", list, err)
	}
	tasks, err := e.svc.List(ctx, servicedesk.ListQuery{VolunteerID: vol.UserID, OrgIDs: []int64{e.orgID}}, servicedesk.Viewer{UserID: vol.UserID})
	if err != nil || len(tasks) != 1 || tasks[0].Status != servicedesk.StatusFinished {
		t.Fatalf("tasks = %+v %v", tasks, err)
	}
	waiting, err := e.svc.Waiting(ctx, e.orgID)
	if err != nil || len(waiting) != 1 || waiting[0].Due != "ok" {
		t.Fatalf("waiting = %+v %v", waiting, err)
	}
	before := e.balance(t, vol.UserID)
	if r, err = e.svc.Confirm(ctx, r.ID, servicedesk.Confirmation{Access: created.Access}); err != nil {
		t.Fatal(err)
	}
	if r.Status != servicedesk.StatusConfirmed || r.RecordID == nil {
		t.Fatalf("confirmed = %+v", r)
	}
	// 47 minutes under the default policy (rounding down to quarter hours): 45.
	if got := e.balance(t, vol.UserID) - before; got != 45 {
		t.Fatalf("balance rose by %d, want 45", got)
	}
	rec, err := e.acts.Record(ctx, *r.RecordID)
	if err != nil || rec.Place != "东山社区" || rec.ActivityTitle != "幸福管家·助餐" || rec.UserID != vol.UserID {
		t.Fatalf("record = %+v %v", rec, err)
	}
	if r, err = e.svc.Rate(ctx, r.ID, servicedesk.Rating{Access: created.Access, Stars: 5, Comment: "小陈很耐心"}); err != nil {
		t.Fatal(err)
	}
	st, err := e.svc.Standing(ctx, e.orgID)
	if err != nil || st.Total.Count != 1 || st.Total.AverageTenths != 50 || len(st.Comments) != 0 {
		t.Fatalf("standing before moderation = %+v %v", st, err)
	}
	if _, err := e.svc.Moderate(ctx, coordinator, r.ID, true); err != nil {
		t.Fatal(err)
	}
	if st, err = e.svc.Standing(ctx, e.orgID); err != nil || len(st.Comments) != 1 || len(st.Desks) != 1 || st.Desks[0].Count != 1 {
		t.Fatalf("standing = %+v %v", st, err)
	}
	if _, err := e.svc.Rate(ctx, r.ID, servicedesk.Rating{Access: created.Access, Stars: 2}); !errors.Is(err, servicedesk.ErrAlreadyRated) {
		t.Fatalf("second rating: %v", err)
	}
}

// Two volunteers (and more) taking the same request at once: exactly one gets it.
func TestTakeRace(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	const n = 12
	vols := make([]int64, n)
	for i := range vols {
		vols[i] = e.volunteer(t, "志愿者").UserID
	}
	for round := range 3 {
		r := e.ask(t, "1380013810"+itoa(int64(round)), "race"+itoa(int64(round))).Request
		var wg sync.WaitGroup
		errs := make([]error, n)
		ready := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				_, errs[i] = e.svc.Take(ctx, principalOf(vols[i]), r.ID)
			}()
		}
		close(ready)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, servicedesk.ErrTaken):
				t.Fatalf("take: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d volunteers took the request", round, won)
		}
		if c := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'service_request.take' AND target = $1`,
			"service_request:"+itoa(r.ID)); c != 1 {
			t.Fatalf("%d takes audited", c)
		}
		e.clock.Add(2 * time.Minute) // the next round's SMS code
	}
}

// A confirmation replayed, sequentially and concurrently, by every way of confirming, confirms
// once: one record, one earning.
func TestConfirmOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	vol := e.volunteer(t, "陈小燕")
	created := e.ask(t, "13800138002", "once")
	id := created.Request.ID
	visit, _ := e.svc.VisitCode(ctx, id)
	if _, err := e.svc.Take(ctx, vol, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	if _, err := e.svc.Start(ctx, vol, id, visit.Token); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	if _, err := e.svc.Finish(ctx, vol, id, ""); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(2 * time.Minute)
	if err := e.svc.RequestConfirmCode(ctx, id, e.send); err != nil {
		t.Fatal(err)
	}
	ways := []servicedesk.Confirmation{{Access: created.Access}, {SMSCode: e.lastCode("13800138002")}, {By: coordinator}}
	var wg sync.WaitGroup
	errs := make([]error, 24)
	records := make([]int64, 24)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.svc.Confirm(ctx, id, ways[i%len(ways)])
			if err == nil && r.RecordID != nil {
				records[i] = *r.RecordID
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil && !(i%len(ways) == 1 && errors.Is(err, servicedesk.ErrCode)) {
			t.Fatalf("confirm %d: %v", i, err)
		}
		if err == nil && records[i] != records[0] && records[0] != 0 {
			t.Fatalf("confirm %d made record %d, another %d", i, records[i], records[0])
		}
	}
	if n := e.count(t, `SELECT count(*) FROM service_records`); n != 1 {
		t.Fatalf("%d records, want 1", n)
	}
	if n := e.count(t, `SELECT count(*) FROM ledger_transactions WHERE kind = 'earn'`); n != 1 {
		t.Fatalf("%d earnings, want 1", n)
	}
	if got := e.balance(t, vol.UserID); got != 60 {
		t.Fatalf("balance = %d, want 60", got)
	}
	if _, err := e.svc.Confirm(ctx, id, servicedesk.Confirmation{Access: created.Access}); err != nil {
		t.Fatalf("replay after the race: %v", err)
	}
}

// The resident's phone and address never appear in the clear in the database.
func TestContactSealed(t *testing.T) {
	e := newEnv(t)
	r := e.ask(t, "13800138003", "sealed").Request
	var row struct {
		Phone   []byte `db:"phone_sealed"`
		Index   []byte `db:"phone_index"`
		Address []byte `db:"address_sealed"`
	}
	if err := e.db.Get(&row, `SELECT phone_sealed, phone_index, address_sealed FROM service_requests WHERE id = $1`, r.ID); err != nil {
		t.Fatal(err)
	}
	var dump []byte
	if err := e.db.Get(&dump, `SELECT convert_to(string_agg(q::text, ' '), 'UTF8') FROM service_requests q`); err != nil {
		t.Fatal(err)
	}
	dump = append(dump, bytes.Join([][]byte{row.Phone, row.Index, row.Address}, nil)...)
	for _, plain := range []string{"13800138003", "38001380", "东山路", "502 室"} {
		if bytes.Contains(dump, []byte(plain)) {
			t.Fatalf("%q readable in the table", plain)
		}
	}
	var codes []byte
	if err := e.db.Get(&codes, `SELECT convert_to(coalesce(string_agg(c::text, ' '), ''), 'UTF8') FROM service_request_codes c`); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(codes, []byte("13800138003")) || len(codes) == 0 {
		t.Fatalf("codes table: %d bytes, phone readable: %v", len(codes), bytes.Contains(codes, []byte("13800138003")))
	}
}

// A request nobody answers within the desk's promise is flagged once and listed for the street,
// masked; one answered in time is not.
func TestUnansweredFlagged(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	streetAdmin, otherAdmin := e.regionAdmin(t, "330481001000"), e.regionAdmin(t, "330481000000")
	late := e.ask(t, "13800138004", "late").Request
	e.clock.Add(2 * time.Minute)
	answered := e.ask(t, "13800138005", "answered").Request
	if _, err := e.svc.Take(ctx, e.volunteer(t, "陈小燕"), answered.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.FlagUnanswered(ctx, 100); err != nil || n != 0 {
		t.Fatalf("flagged within the promise: %d %v", n, err)
	}
	e.clock.Add(servicedesk.DefaultPromiseMinutes * time.Minute)
	for round, want := range []int{1, 0} {
		if n, err := e.svc.FlagUnanswered(ctx, 100); err != nil || n != want {
			t.Fatalf("round %d flagged %d, want %d (%v)", round, n, want, err)
		}
	}
	// The street's administrator is told once, however often the worker runs; the county's is not.
	for uid, want := range map[int64]int{streetAdmin: 1, otherAdmin: 0} {
		if n := e.count(t, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'service_unanswered'
  AND params->>'community' = '东山社区'`, uid); n != want {
			t.Errorf("user %d told %d times, want %d", uid, n, want)
		}
	}
	street, err := e.svc.Unanswered(ctx, "330481001000", 0)
	if err != nil || len(street) != 1 || street[0].ID != late.ID || street[0].Phone != "138****8004" || street[0].FlaggedAt == nil {
		t.Fatalf("the street's list = %+v %v", street, err)
	}
	if _, err := e.svc.Unanswered(ctx, "not a code", 0); !errors.Is(err, servicedesk.ErrInvalid) {
		t.Fatalf("bad region: %v", err)
	}
}
