package certificate_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"timebank/pkg/certificate"
	"timebank/pkg/invariant"
)

// Many issuers at once for one organization and year get the numbers 1..N, each once, with no gap;
// a refused issue among them uses no number.
func TestNumbersWithoutGapsUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	const n = 24
	users := make([]int64, n)
	for i := range users {
		u := e.volunteer(t, fmt.Sprintf("志愿者%d", i), "")
		e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 60, "scan")
		users[i] = u.ID
	}
	nobody := e.volunteer(t, "没有记录", "")
	var wg sync.WaitGroup
	numbers := make(chan string, n)
	errs := make(chan error, 2*n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(2)
		go func(userID int64) {
			defer wg.Done()
			<-start
			c, err := e.svc.Issue(context.Background(), coordinator, e.orgID, certificate.NewCertificate{UserID: userID,
				Purpose: certificate.PurposeOther, ResponsibleName: "李会长"})
			if err != nil {
				errs <- err
				return
			}
			numbers <- c.Number
		}(users[i])
		go func() { // refused: nothing to certify, in the middle of the others
			defer wg.Done()
			<-start
			_, err := e.svc.Issue(context.Background(), coordinator, e.orgID, certificate.NewCertificate{UserID: nobody.ID,
				Purpose: certificate.PurposeOther, ResponsibleName: "李会长"})
			if err != certificate.ErrNothingToCertify {
				errs <- fmt.Errorf("issue without records: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(numbers)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var got []string
	for num := range numbers {
		got = append(got, num)
	}
	sort.Strings(got)
	if len(got) != n {
		t.Fatalf("%d certificates, want %d", len(got), n)
	}
	for i, num := range got {
		if want := fmt.Sprintf("2026-%d-%05d", e.orgID, i+1); num != want {
			t.Errorf("number %d = %s, want %s", i, num, want)
		}
	}
	var last int
	if err := e.db.Get(&last, `SELECT last FROM certificate_counters WHERE org_id = $1 AND year = 2026`, e.orgID); err != nil || last != n {
		t.Errorf("counter = %d (%v), want %d", last, err, n)
	}
	// verify finds the series whole, and a gap when the counter runs ahead of the register.
	problems := func() []string {
		t.Helper()
		var found []string
		if err := invariant.Run(context.Background(), e.db, certificate.Checks, func(_ string, f []string) {
			found = append(found, f...)
		}); err != nil {
			t.Fatal(err)
		}
		return found
	}
	if p := problems(); len(p) != 0 {
		t.Fatalf("verify of a whole series: %v", p)
	}
	e.db.MustExec(`UPDATE certificate_counters SET last = last + 1 WHERE org_id = $1`, e.orgID)
	if p := problems(); len(p) != 1 || !strings.Contains(p[0], fmt.Sprintf("%d certificates numbered up to %d, counter at %d", n, n, n+1)) {
		t.Fatalf("verify of a series with a gap: %v", p)
	}
	e.db.MustExec(`UPDATE certificate_counters SET last = last - 1 WHERE org_id = $1`, e.orgID)
	// The other organization's series starts at one.
	u := e.volunteer(t, "义工", "")
	e.record(t, e.otherOrgID, u.ID, "2026-01-10", "义工联活动", 60, "scan")
	if c := e.issue(t, e.otherOrgID, u.ID); c.Number != fmt.Sprintf("2026-%d-00001", e.otherOrgID) {
		t.Errorf("other organization's first number = %s", c.Number)
	}
}
