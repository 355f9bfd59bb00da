package servicedesk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/pkg/qr"
	"timebank/pkg/servicedesk"
)

// Bad input is refused with an error the web layer answers 4xx, and writes nothing.
func TestBadInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	if err := e.svc.RequestCode(ctx, "13800138009", e.send); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RequestCode(ctx, "13800138009", e.send); !errors.Is(err, servicedesk.ErrCodeTooSoon) {
		t.Fatalf("second code within a minute: %v", err)
	}
	for name, c := range map[string]struct {
		change func(*servicedesk.NewRequest)
		want   error
	}{
		"unknown category": {func(n *servicedesk.NewRequest) { n.Category = "massage" }, servicedesk.ErrInvalid},
		"no address":       {func(n *servicedesk.NewRequest) { n.Address = "  " }, servicedesk.ErrInvalid},
		"bad phone":        {func(n *servicedesk.NewRequest) { n.Phone = "12345" }, servicedesk.ErrInvalid},
		"long ago":         {func(n *servicedesk.NewRequest) { n.WantedAt = start.Add(-48 * time.Hour) }, servicedesk.ErrInvalid},
		"control chars":    {func(n *servicedesk.NewRequest) { n.Note = "a\x00b" }, servicedesk.ErrInvalid},
		"self and person":  {func(n *servicedesk.NewRequest) { n.CarePersonID = new(int64(7)) }, servicedesk.ErrInvalid},
		"no sms code":      {func(n *servicedesk.NewRequest) { n.SMSCode = "" }, servicedesk.ErrInvalid},
		"wrong sms code":   {func(n *servicedesk.NewRequest) { n.SMSCode = "000000" }, servicedesk.ErrCode},
		"forged desk":      {func(n *servicedesk.NewRequest) { n.DeskCode = n.DeskCode[:len(n.DeskCode)-2] + "AA" }, qr.ErrBadSignature},
		"visit code":       {func(n *servicedesk.NewRequest) { n.DeskCode = visitToken(t, e) }, qr.ErrWrongType},
	} {
		n := e.meal("13800138009")
		if n.SMSCode == "000000" {
			t.Fatal("the test's wrong code is the right one")
		}
		c.change(&n)
		if _, err := e.svc.Create(ctx, nil, "bad", n); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM service_requests`); n != 0 {
		t.Fatalf("%d requests written by bad input", n)
	}
	// The right code still works after one wrong try.
	if _, err := e.svc.Create(ctx, nil, "good", e.meal("13800138009")); err != nil {
		t.Fatal(err)
	}
	r := e.count(t, `SELECT id FROM service_requests`)
	vol, other := e.volunteer(t, "陈小燕"), e.volunteer(t, "周明")
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"start before taken", func() error { _, err := e.svc.Start(ctx, vol, 0, visitOf(t, e, int64(r))); return err }, servicedesk.ErrNotYours},
		{"finish before taken", func() error { _, err := e.svc.Finish(ctx, vol, int64(r), ""); return err }, servicedesk.ErrNotYours},
		{"confirm submitted", func() error {
			_, err := e.svc.Confirm(ctx, int64(r), servicedesk.Confirmation{By: coordinator})
			return err
		}, servicedesk.ErrWrongStep},
		{"take", func() error { _, err := e.svc.Take(ctx, vol, int64(r)); return err }, nil},
		{"other takes", func() error { _, err := e.svc.Take(ctx, other, int64(r)); return err }, servicedesk.ErrTaken},
		{"other starts", func() error { _, err := e.svc.Start(ctx, other, 0, visitOf(t, e, int64(r))); return err }, servicedesk.ErrNotYours},
		{"finish before start", func() error { _, err := e.svc.Finish(ctx, vol, int64(r), ""); return err }, servicedesk.ErrWrongStep},
		{"wrong access", func() error {
			_, err := e.svc.Confirm(ctx, int64(r), servicedesk.Confirmation{Access: e.svc.Access(int64(r) + 1)})
			return err
		}, servicedesk.ErrRequestNotFound},
		{"rate unconfirmed", func() error {
			_, err := e.svc.Rate(ctx, int64(r), servicedesk.Rating{Access: e.svc.Access(int64(r)), Stars: 9})
			return err
		}, servicedesk.ErrInvalid},
		{"unknown request", func() error { _, err := e.svc.Take(ctx, vol, 999999); return err }, servicedesk.ErrRequestNotFound},
	}
	for _, s := range steps {
		if err := s.do(); !errors.Is(err, s.want) && !(s.want == nil && err == nil) {
			t.Errorf("%s: %v, want %v", s.name, err, s.want)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM service_requests WHERE status = 'accepted' AND started_at IS NULL`); n != 1 {
		t.Fatalf("request moved by refused steps")
	}
}

func visitOf(t *testing.T, e *env, id int64) string {
	t.Helper()
	c, err := e.svc.VisitCode(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Token
}

// visitToken is a genuine door code of a request that does not exist.
func visitToken(t *testing.T, e *env) string {
	t.Helper()
	token, err := e.codes.Sign(qr.Claims{Type: qr.ServiceVisit, Subject: 1, Expires: start.Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	return token
}
