package servicedesk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/pkg/servicedesk"
)

// A resident cancels a request a volunteer had taken: it leaves the volunteer's tasks, its door code
// stops starting it, the volunteer is told once, and cancelling again changes nothing.
func TestCancelTaken(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	vol := e.volunteer(t, "陈小燕")
	created := e.ask(t, "13800138101", "c1")
	id := created.Request.ID
	if _, err := e.svc.Take(ctx, vol, id); err != nil {
		t.Fatal(err)
	}
	visit, err := e.svc.VisitCode(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.Cancel(ctx, id, servicedesk.Cancellation{Access: created.Access, Reason: " 家人已经送来午饭 "})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != servicedesk.StatusCancelled || r.CancelReason != "家人已经送来午饭" || r.CancelledAt == nil || r.VolunteerID != nil {
		t.Fatalf("cancelled = %+v", r)
	}
	again, err := e.svc.Cancel(ctx, id, servicedesk.Cancellation{Access: created.Access, Reason: "another reason"})
	if err != nil || again.CancelReason != "家人已经送来午饭" || !again.CancelledAt.Equal(*r.CancelledAt) {
		t.Fatalf("cancelling again = %+v %v", again, err)
	}
	tasks, err := e.svc.List(ctx, servicedesk.ListQuery{VolunteerID: vol.UserID, OrgIDs: []int64{e.orgID}}, servicedesk.Viewer{UserID: vol.UserID})
	if err != nil || len(tasks) != 0 {
		t.Fatalf("the volunteer's tasks after the cancel = %+v %v", tasks, err)
	}
	if _, err := e.svc.Start(ctx, vol, 0, visit.URL); !errors.Is(err, servicedesk.ErrVisitExpired) {
		t.Fatalf("the door code of a cancelled request: %v, want ErrVisitExpired", err)
	}
	if n := e.count(t, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'service_cancelled'`, vol.UserID); n != 1 {
		t.Fatalf("the volunteer was told %d times, want 1", n)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'service_request.cancel' AND target = $1
    AND actor = 'resident' AND before->>'volunteer_id' = $2`, "service_request:"+itoa(id), itoa(vol.UserID)); n != 1 {
		t.Fatalf("%d audit entries of the cancel naming the volunteer, want 1", n)
	}
}

// Who may cancel, and when: a coordinator or grid worker (By) cancels as themselves, a key of
// another request opens nothing, a reason too long is refused, and a visit begun, finished or
// confirmed cannot be called off.
func TestCancelRules(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	vol := e.volunteer(t, "王志远")
	a := e.ask(t, "13800138102", "c2")
	b := e.ask(t, "13800138103", "c3")

	if _, err := e.svc.Cancel(ctx, a.Request.ID, servicedesk.Cancellation{Access: b.Access}); !errors.Is(err, servicedesk.ErrRequestNotFound) {
		t.Fatalf("another request's key: %v, want ErrRequestNotFound", err)
	}
	if _, err := e.svc.Cancel(ctx, a.Request.ID, servicedesk.Cancellation{}); !errors.Is(err, servicedesk.ErrInvalid) {
		t.Fatalf("no key and nobody: %v, want ErrInvalid", err)
	}
	long := make([]rune, 301)
	for i := range long {
		long[i] = '长'
	}
	if _, err := e.svc.Cancel(ctx, a.Request.ID, servicedesk.Cancellation{Access: a.Access, Reason: string(long)}); !errors.Is(err, servicedesk.ErrInvalid) {
		t.Fatalf("a reason of 301 characters: %v, want ErrInvalid", err)
	}
	if _, err := e.svc.Cancel(ctx, 987654, servicedesk.Cancellation{By: coordinator}); !errors.Is(err, servicedesk.ErrRequestNotFound) {
		t.Fatalf("no such request: %v, want ErrRequestNotFound", err)
	}
	r, err := e.svc.Cancel(ctx, a.Request.ID, servicedesk.Cancellation{By: coordinator})
	if err != nil || r.Status != servicedesk.StatusCancelled || r.CancelReason != "" {
		t.Fatalf("a coordinator's cancel = %+v %v", r, err)
	}
	if n := e.count(t, `SELECT count(*) FROM service_requests WHERE id = $1 AND cancelled_by = $2`, a.Request.ID, coordinator.Label()); n != 1 {
		t.Fatal("the cancel is not recorded as the coordinator's")
	}
	if n := e.count(t, `SELECT count(*) FROM notification_outbox WHERE kind = 'service_cancelled'`); n != 0 {
		t.Fatalf("%d notices of a request nobody had taken", n)
	}
	// Taken and begun at the door: too late.
	if _, err := e.svc.Take(ctx, vol, b.Request.ID); err != nil {
		t.Fatal(err)
	}
	visit, err := e.svc.VisitCode(ctx, b.Request.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(4 * time.Hour)
	if _, err := e.svc.Start(ctx, vol, 0, visit.URL); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"started", "finished", "confirmed"} {
		switch step {
		case "finished":
			e.clock.Add(30 * time.Minute)
			if _, err := e.svc.Finish(ctx, vol, b.Request.ID, "已完成"); err != nil {
				t.Fatal(err)
			}
		case "confirmed":
			if _, err := e.svc.Confirm(ctx, b.Request.ID, servicedesk.Confirmation{Access: b.Access}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.Cancel(ctx, b.Request.ID, servicedesk.Cancellation{Access: b.Access}); !errors.Is(err, servicedesk.ErrWrongStep) {
			t.Fatalf("cancelling a %s request: %v, want ErrWrongStep", step, err)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM service_requests WHERE id = $1 AND status = 'confirmed'`, b.Request.ID); n != 1 {
		t.Fatal("a refused cancel changed the request")
	}
}
