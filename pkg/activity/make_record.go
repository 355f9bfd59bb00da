package activity

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/ledger"
	"timebank/pkg/principal"
)

// recordInput is what makeRecord needs: the locked attendance, its activity and policy, the service
// time decided, and who decided it.
type recordInput struct {
	att        pendingAttendance
	act        Activity
	policy     Policy
	out        outcome
	by         *principal.Principal
	reason     string
	evaluation string
}

// makeRecord creates the service record of an approved attendance with its first revision and
// posts the one earning transaction of that revision, all in the caller's transaction. The caller
// holds the volunteer's lock, so the balance read for the account cap cannot change underneath.
func (s *Service) makeRecord(ctx context.Context, ltx *ledger.Tx, in recordInput) (Record, error) {
	tx := ltx.Sqlx()
	credits := in.policy.EarnedCredits(in.out.minutes, in.att.Source == SourceManual)
	available, err := availableTx(ctx, tx, in.att.UserAccount)
	if err != nil {
		return Record{}, err
	}
	a := in.act
	lim, _, err := s.resolve(ctx, tx, CreditScope{Kind: ScopeOrg, OrgID: a.OrgID})
	if err != nil {
		return Record{}, err
	}
	toAccount, toPool := lim.split(available, credits)
	var id int64
	err = tx.GetContext(ctx, &id, `
INSERT INTO service_records (attendance_id, activity_id, user_id, org_id, kind, activity_title, service_date,
    place, content, category, org_name, leader_name, people_served, recorder, recorder_name, minutes, credits)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
		in.att.ID, a.ID, in.att.UserID, a.OrgID, in.att.Source, a.Title, in.out.day.String(), a.Address, a.Content,
		a.Category, a.OrgName, a.LeaderName, a.PeopleServed, in.by.Label(), in.by.Name, in.out.minutes, toAccount)
	if err != nil {
		return Record{}, err
	}
	e := earning{recordID: id, revision: 1, issuer: orgAccount(a.OrgID), account: in.att.UserAccount,
		pool: s.limits.PoolAccount, credits: toAccount, overflow: toPool, by: in.by.Label()}
	txID, err := e.post(ctx, ltx)
	if err != nil {
		return Record{}, err
	}
	if err := s.addLot(ctx, tx, lim, txID, in.att.UserID, a.OrgID, toAccount); err != nil {
		return Record{}, err
	}
	err = insertRevision(ctx, tx, revisionInput{recordID: id, revision: 1, out: in.out, credits: toAccount,
		pool: toPool, earnTx: txID, reason: in.reason, evaluation: in.evaluation, by: in.by.Label()})
	if err != nil {
		return Record{}, err
	}
	return oneRecord(ctx, tx, `r.id = $1`, id)
}

// revisionInput is one revision to append.
type revisionInput struct {
	recordID   int64
	revision   int
	out        outcome
	credits    int64
	pool       int64
	earnTx     int64 // 0: nothing earned
	replacesTx int64 // 0: nothing replaced
	reason     string
	evaluation string
	by         string
}

func insertRevision(ctx context.Context, tx *sqlx.Tx, r revisionInput) error {
	dates, mins := dayArrays(r.out.days)
	flags := pq.StringArray(r.out.flags)
	if flags == nil {
		flags = pq.StringArray{}
	}
	_, err := tx.ExecContext(ctx, `
INSERT INTO service_record_revisions (record_id, revision, minutes, credits, pool_credits, served_from, served_to,
    day_dates, day_minutes, flags, earn_tx_id, replaces_tx_id, reason, evaluation, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date[], $9, $10, $11, $12, $13, $14, $15)`,
		r.recordID, r.revision, r.out.minutes, r.credits, r.pool, timeOrNil(r.out.from), timeOrNil(r.out.to),
		dates, mins, flags, idOrNil(r.earnTx), idOrNil(r.replacesTx), r.reason, r.evaluation, r.by)
	return err
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func idOrNil(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
