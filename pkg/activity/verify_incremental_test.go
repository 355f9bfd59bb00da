package activity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/invariant"
)

// By default the records' checks read the records revised since their checkpoint: a record whose
// numbers disagree with its revision after it is found; one written before it is left to --full.
func TestVerifyRecordsFromCheckpoint(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t)
	approve := func(name string) int64 {
		t.Helper()
		v := e.volunteer(t, name)
		att := e.checkedOut(t, a.ID, v.ID, day10, day10.Add(2*time.Hour))
		e.clock.Set(a.EndsAt.Add(time.Hour))
		res, err := e.svc.Verify(context.Background(), coordinator,
			activity.VerifyRequest{IDs: []int64{att.ID}, Action: activity.ActionApprove})
		if err != nil || res[0].Record == nil {
			t.Fatalf("approve %s: %+v %v", name, res, err)
		}
		return res[0].Record.ID
	}
	run := func(full bool) (string, map[string]string) {
		t.Helper()
		var problems []string
		scope := map[string]string{}
		if err := invariant.Verify(context.Background(), e.db, activity.Checks, invariant.Options{Jobs: 2, Full: full},
			func(r invariant.Result) {
				problems = append(problems, r.Problems...)
				scope[r.Name] = r.Scope
			}); err != nil {
			t.Fatal(err)
		}
		return strings.Join(problems, "\n"), scope
	}
	tamper := func(record int64) {
		t.Helper()
		tx := e.db.MustBegin()
		tx.MustExec(`ALTER TABLE service_records DISABLE TRIGGER USER`)
		tx.MustExec(`UPDATE service_records SET minutes = minutes + 1 WHERE id = $1`, record)
		tx.MustExec(`ALTER TABLE service_records ENABLE TRIGGER USER`)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	old := approve("杨帆")
	if problems, _ := run(false); problems != "" {
		t.Fatalf("clean records: %s", problems)
	}
	tamper(old)
	fresh := approve("林晓")
	tamper(fresh)
	const numbers = "a record's numbers are those of its latest revision"
	problems, scope := run(false)
	if !strings.Contains(problems, fmt.Sprintf("record %d:", fresh)) || !strings.Contains(scope[numbers], "after checkpoint") {
		t.Fatalf("a record written after the checkpoint and changed was missed: %s (%q)", problems, scope[numbers])
	}
	if strings.Contains(problems, fmt.Sprintf("record %d:", old)) {
		t.Fatalf("the default run read a record not revised since the checkpoint: %s", problems)
	}
	if problems, scope = run(true); !strings.Contains(problems, fmt.Sprintf("record %d:", old)) || scope[numbers] != "all" {
		t.Fatalf("--full missed the record changed below the checkpoint: %s (%q)", problems, scope[numbers])
	}
}
