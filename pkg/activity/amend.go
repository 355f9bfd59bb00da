package activity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
)

// Amendment corrects a record's service time. Revision is the record's revision the coordinator
// looked at: if someone amended it since, the amendment is refused rather than applied blind.
type Amendment struct {
	Revision int    `json:"revision"`
	Minutes  int64  `json:"minutes"`
	Reason   string `json:"reason"`
}

func (am *Amendment) validate() error {
	bad := fields.Set{}
	if am.Revision < 1 {
		bad["revision"] = "required"
	}
	if am.Minutes < 0 || am.Minutes > 24*60 {
		bad["minutes"] = "range"
	}
	if r := cleanText(&am.Reason, 500, true, true); r != "" {
		bad["reason"] = r
	}
	return bad.Err(ErrInvalid)
}

// currentRevision is what an amendment needs of the revision it replaces.
type currentRevision struct {
	Credits  int64         `db:"credits"`
	Pool     int64         `db:"pool_credits"`
	EarnTxID sql.NullInt64 `db:"earn_tx_id"`
}

// Amend appends a revision with the corrected minutes (under the organization's current policy and
// the daily cap), resolves an open dispute of the record (telling the volunteer), and replaces the earning in the ledger:
// the new revision's earning is posted in the same transaction as the revision, and the old one is
// reversed right after the commit. Should that reversal fail (the database went away, or the
// volunteer spent the credits in between), the revision still names the transaction it replaces,
// and SettleReversals finishes the work. Nothing is edited in place or deleted.
// Errors: ErrInvalid (also minutes longer_than_activity), ErrRecordNotFound, ErrRevisionConflict,
// ErrCreditsSpent (the amendment would take back more than the volunteer has left), and the
// ledger's errors.
func (s *Service) Amend(ctx context.Context, by *principal.Principal, recordID int64, am Amendment) (Record, error) {
	if err := am.validate(); err != nil {
		return Record{}, err
	}
	if err := s.ensurePool(ctx); err != nil {
		return Record{}, err
	}
	var rec Record
	var replaces int64
	err := s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		var userID int64
		err := tx.GetContext(ctx, &userID, `SELECT user_id FROM service_records WHERE id = $1`, recordID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrRecordNotFound
		} else if err != nil {
			return err
		}
		if err := lockVolunteers(ctx, tx, userID); err != nil {
			return err
		}
		before, err := oneRecord(ctx, tx, `r.id = $1 FOR UPDATE OF r`, recordID)
		if err != nil {
			return err
		}
		if before.Revision != am.Revision {
			return ErrRevisionConflict
		}
		a, err := s.getActivity(ctx, tx, before.ActivityID, false)
		if err != nil {
			return err
		}
		if am.Minutes > a.LengthMinutes() {
			return invalid("minutes", "longer_than_activity")
		}
		p, err := policyOf(ctx, s.stmts, tx, before.OrgID)
		if err != nil {
			return err
		}
		day, err := ParseDate(before.ServiceDate)
		if err != nil {
			return err
		}
		credited, err := creditedDays(ctx, tx, userID, recordID, day, day)
		if err != nil {
			return err
		}
		out := capOnDay(p, day, am.Minutes, credited)
		var cur currentRevision
		if err := tx.GetContext(ctx, &cur, `SELECT credits, pool_credits, earn_tx_id FROM service_record_revisions
WHERE record_id = $1 AND revision = $2`, recordID, before.Revision); err != nil {
			return err
		}
		account := userAccount(userID)
		available, err := availableTx(ctx, tx, account)
		if err != nil {
			return err
		}
		lim, _, err := s.resolve(ctx, tx, CreditScope{Kind: ScopeOrg, OrgID: before.OrgID})
		if err != nil {
			return err
		}
		// The old earning will be taken back from what the volunteer has after the new one arrives.
		toAccount, toPool := lim.split(available-cur.Credits, p.EarnedCredits(out.minutes, before.Kind == SourceManual))
		if available+toAccount-cur.Credits < 0 {
			return ErrCreditsSpent
		}
		next := before.Revision + 1
		e := earning{recordID: recordID, revision: next, issuer: orgAccount(before.OrgID), account: account,
			pool: s.limits.PoolAccount, credits: toAccount, overflow: toPool, by: by.Label()}
		txID, err := e.post(ctx, ltx)
		if err != nil {
			return err
		}
		if err := s.addLot(ctx, tx, lim, txID, userID, before.OrgID, toAccount); err != nil {
			return err
		}
		replaces = cur.EarnTxID.Int64
		if err := insertRevision(ctx, tx, revisionInput{recordID: recordID, revision: next, out: out,
			credits: toAccount, pool: toPool, earnTx: txID, replacesTx: replaces, reason: am.Reason,
			by: by.Label()}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE service_records SET revision = $2, minutes = $3, credits = $4,
    status = 'verified' WHERE id = $1`, recordID, next, out.minutes, toAccount); err != nil {
			return err
		}
		var answered []int64
		if err := tx.SelectContext(ctx, &answered, `UPDATE record_disputes SET status = 'amended', resolved_by = $2,
    resolved_at = now(), resolution = $3 WHERE record_id = $1 AND status = 'open' RETURNING id`, recordID, by.Label(), am.Reason); err != nil {
			return err
		}
		for _, id := range answered {
			if err := s.tellDisputeAnswered(ctx, tx, id, "amended"); err != nil {
				return err
			}
		}
		if rec, err = oneRecord(ctx, tx, `r.id = $1`, recordID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "record.amend",
			Target: "record:" + itoa(recordID), OrgID: before.OrgID,
			Before: map[string]any{"revision": before.Revision, "minutes": before.Minutes, "credits": before.Credits},
			After:  map[string]any{"revision": next, "minutes": out.minutes, "credits": toAccount, "reason": am.Reason}})
	})
	if err != nil {
		return Record{}, err
	}
	if replaces != 0 {
		if _, err := s.reverse(ctx, replaces, by.Label(), recordID, rec.Revision); err != nil {
			s.log.Warn("activity: reversal after amendment left for SettleReversals", "record", recordID, "tx", replaces, "err", err)
		}
	}
	return rec, nil
}

func (s *Service) reverse(ctx context.Context, txID int64, by string, recordID int64, revision int) (ledger.Result, error) {
	return s.ledger.Reverse(ctx, txID, by, fmt.Sprintf("service record %d amended by revision %d", recordID, revision))
}

// SettleReversals reverses the earnings that amendments replaced but could not reverse at once, at
// most limit per call, and returns how many it reversed. An earning whose credits the volunteer has
// spent stays pending until they have enough again; serve runs this periodically.
func (s *Service) SettleReversals(ctx context.Context, limit int) (int, error) {
	var pending []struct {
		TxID     int64  `db:"replaces_tx_id"`
		RecordID int64  `db:"record_id"`
		Revision int    `db:"revision"`
		By       string `db:"created_by"`
	}
	if err := s.db.SelectContext(ctx, &pending, `
SELECT v.replaces_tx_id, v.record_id, v.revision, v.created_by FROM service_record_revisions v
WHERE v.replaces_tx_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.reverses = v.replaces_tx_id)
ORDER BY v.id LIMIT $1`, limit); err != nil {
		return 0, err
	}
	n := 0
	for _, p := range pending {
		_, err := s.reverse(ctx, p.TxID, p.By, p.RecordID, p.Revision)
		switch {
		case err == nil:
			n++
		case errors.Is(err, ledger.ErrInsufficientFunds):
			s.log.Warn("activity: replaced earning not yet reversible", "record", p.RecordID, "tx", p.TxID)
		default:
			return n, err
		}
	}
	return n, nil
}
