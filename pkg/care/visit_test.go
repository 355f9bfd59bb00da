package care_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/pkg/access"
	"timebank/pkg/care"
)

// A person never visited is overdue on the board; the paired volunteer scans their card and records
// a visit, and the card turns visited, due again after the colour's frequency. A stranger's visit,
// a wrong card and a replay with another body are refused; a replay is answered as the first.
func TestVisitTurnsTheCardFromOverdue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	red := e.register(t, "王小芳", "13812345678", care.Red)
	green := e.register(t, "李建国", "", care.Green)
	vol := e.person(t, "结对志愿者", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.inOrg})
	stranger := e.person(t, "旁人", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.outOrg})
	uid := vol.UserID
	if _, err := e.svc.Pair(ctx, operator, care.NewPairing{PersonID: red.ID, OrgID: e.inOrg, UserID: &uid}); err != nil {
		t.Fatal(err)
	}
	// The team is paired with the other person: every volunteer of it may visit.
	if _, err := e.svc.Pair(ctx, operator, care.NewPairing{PersonID: green.ID, OrgID: e.inOrg}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Pair(ctx, operator, care.NewPairing{PersonID: red.ID, OrgID: e.inOrg, UserID: &stranger.UserID}); !errors.Is(err, care.ErrInvalid) {
		t.Fatalf("pairing a volunteer of another organization: %v", err)
	}
	e.advance(10 * 24 * time.Hour)
	b, err := e.svc.Board(ctx, street)
	if err != nil || len(b.Cards) != 2 || b.Cards[0].PersonID != red.ID || !b.Cards[0].Overdue || b.Cards[0].DaysLate != 10 {
		t.Fatalf("board before %+v, %v", b, err)
	}
	if len(b.Communities) != 1 || b.Communities[0].Red != 1 || b.Communities[0].Green != 1 || b.Communities[0].Overdue != 2 {
		t.Fatalf("counts %+v", b.Communities)
	}
	list, err := e.svc.VisitList(ctx, vol.UserID, []int64{e.inOrg})
	if err != nil || len(list) != 2 {
		t.Fatalf("visit list %+v, %v", list, err)
	}
	token, url, err := e.svc.Card(ctx, red.ID)
	if err != nil || url != "https://tb.example/q/"+token {
		t.Fatal(url, err)
	}
	greenCard, _, _ := e.svc.Card(ctx, green.ID)
	visit := care.NewVisit{Card: url, Minutes: 45, Health: "血压偏高", Needs: "代购药品", FollowUp: "联系家属",
		ProposeColour: care.Yellow, ProposeReason: "已有家属照看"}
	if _, err := e.svc.RecordVisit(ctx, stranger, "v-1", visit); !errors.Is(err, care.ErrNotPaired) {
		t.Fatalf("a stranger's visit: %v", err)
	}
	bad := visit
	bad.Card = token[:len(token)-2] + "AA"
	if _, err := e.svc.RecordVisit(ctx, vol, "v-0", bad); !errors.Is(err, care.ErrBadCard) {
		t.Fatalf("a forged card: %v", err)
	}
	v, err := e.svc.RecordVisit(ctx, vol, "v-1", visit)
	if err != nil || v.PersonID != red.ID || v.Minutes != 45 || v.OrgID != e.inOrg || v.Replayed {
		t.Fatalf("visit %+v, %v", v, err)
	}
	// The visit is a verified service record: the volunteer's balance rose by its minutes.
	if v.RecordID == nil {
		t.Fatal("the visit earned no record")
	}
	if b, err := e.l.Balance(ctx, "vol:"+itoa(vol.UserID)); err != nil || b.Posted != 45 {
		t.Fatalf("balance after the visit %+v, %v", b, err)
	}
	again, err := e.svc.RecordVisit(ctx, vol, "v-1", visit)
	if err != nil || again.ID != v.ID || !again.Replayed {
		t.Fatalf("replay %+v, %v", again, err)
	}
	other := visit
	other.Minutes = 60
	if _, err := e.svc.RecordVisit(ctx, vol, "v-1", other); !errors.Is(err, care.ErrIdempotency) {
		t.Fatalf("the key reused for another visit: %v", err)
	}
	if _, err := e.svc.RecordVisit(ctx, vol, "v-2", care.NewVisit{Card: greenCard, Minutes: 30}); err != nil {
		t.Fatalf("a team visit: %v", err)
	}
	b, _ = e.svc.Board(ctx, dongshan)
	for _, c := range b.Cards {
		if c.Overdue || c.LastVisitAt == nil {
			t.Errorf("after the visits: %+v", c)
		}
	}
	if c := b.Cards[0]; c.PersonID != red.ID || c.NextDue.Format(time.DateOnly) != "2026-04-02" {
		t.Errorf("red card next due %s (person %d)", c.NextDue.Format(time.DateOnly), c.PersonID)
	}
	// The visit raised two proposals; accepting the colour change changes the colour with history.
	props, err := e.svc.Proposals(ctx, red.ID)
	if err != nil || len(props) != 2 {
		t.Fatalf("proposals %+v, %v", props, err)
	}
	for _, p := range props {
		if _, err := e.svc.Decide(ctx, operator, p.ID, p.Kind == "colour"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Decide(ctx, operator, p.ID, true); !errors.Is(err, care.ErrDecided) {
			t.Fatalf("decided twice: %v", err)
		}
	}
	if p, _ := e.svc.Person(ctx, red.ID); p.Colour != care.Yellow {
		t.Fatalf("colour after the accepted proposal: %s", p.Colour)
	}
	// A reprinted card voids the old one.
	if _, _, err := e.svc.ReprintCard(ctx, red.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RecordVisit(ctx, vol, "v-3", care.NewVisit{Card: token, Minutes: 20}); !errors.Is(err, care.ErrBadCard) {
		t.Fatalf("an old card after a reprint: %v", err)
	}
}

// The visit rate counts, per community, the people due in the month who were visited as often as
// their colour requires.
func TestMonthlyVisitRate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.clock.Store(ptrTime(time.Date(2026, 2, 20, 9, 0, 0, 0, cst)))
	red := e.register(t, "王小芳", "", care.Red)       // weekly: 4 visits needed in March
	yellow := e.register(t, "李建国", "", care.Yellow) // monthly: 1
	e.register(t, "赵大海", "", care.Yellow)           // never visited in March
	vol := e.person(t, "志愿者", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.inOrg})
	for _, id := range []int64{red.ID, yellow.ID} {
		if _, err := e.svc.Pair(ctx, operator, care.NewPairing{PersonID: id, OrgID: e.inOrg, UserID: &vol.UserID}); err != nil {
			t.Fatal(err)
		}
	}
	visit := func(id int64, day int, key string) {
		e.clock.Store(ptrTime(time.Date(2026, 3, day, 15, 0, 0, 0, cst)))
		card, _, _ := e.svc.Card(ctx, id)
		if _, err := e.svc.RecordVisit(ctx, vol, key, care.NewVisit{Card: card, Minutes: 30}); err != nil {
			t.Fatal(err)
		}
	}
	visit(yellow.ID, 3, "y1")
	for i, day := range []int{2, 9, 16} { // three of the four weekly visits
		visit(red.ID, day, "r"+itoa(int64(i)))
	}
	rates, err := e.svc.VisitRate(ctx, street, time.Date(2026, 3, 10, 0, 0, 0, 0, cst))
	if err != nil || len(rates) != 1 || rates[0].Due != 3 || rates[0].Visited != 1 || rates[0].Percent() != 33 {
		t.Fatalf("March %+v, %v", rates, err)
	}
	visit(red.ID, 23, "r4")
	rates, _ = e.svc.VisitRate(ctx, dongshan, time.Date(2026, 3, 10, 0, 0, 0, 0, cst))
	if rates[0].Visited != 2 || rates[0].RegionName != "东山社区" {
		t.Fatalf("after the fourth weekly visit %+v", rates)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
