package ledger

import (
	"context"

	"timebank/pkg/invariant"
)

// VerifyReport lists every broken invariant found; an empty list means the books are sound.
type VerifyReport struct {
	Checks   []string `json:"checks"`   // what was checked
	Problems []string `json:"problems"` // what is wrong, at most 20 per check
}

// OK says whether no problem was found.
func (r VerifyReport) OK() bool { return len(r.Problems) == 0 }

// Verify checks every invariant of the books in PostgreSQL (Checks, each over all its keys, one
// after the other) and that Redis holds PostgreSQL's balances. It changes nothing; see Reconcile to
// repair Redis. `timebank verify` runs the same checks in ranges, at once and from checkpoints.
func (l *Ledger) Verify(ctx context.Context) (VerifyReport, error) {
	var rep VerifyReport
	err := invariant.Run(ctx, l.db, Checks, func(name string, found []string) {
		rep.Checks = append(rep.Checks, name)
		rep.Problems = append(rep.Problems, found...)
	})
	if err != nil {
		return rep, err
	}
	problems, err := l.VerifyRedis(ctx, pageWorkers, nil)
	if err != nil {
		return rep, err
	}
	rep.Checks = append(rep.Checks, RedisCheck)
	rep.Problems = append(rep.Problems, problems...)
	return rep, nil
}
