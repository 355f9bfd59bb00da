package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"
)

const postManyQuery = `SELECT * FROM ledger_post_many($1, $2, $3, $4, $5, $6, $7, $8, $9)`

// postOutcome is what ledger_post_many decided for one request: its changes (a replay has only the
// id), or the error ledger_post would have raised for it alone.
type postOutcome struct {
	ch  []change
	err error
}

// postMany writes the batch's requests with one call of ledger_post_many and returns each one's
// outcome in the batch's order. It returns an error, and no outcome, when the batch failed as a
// whole: then nothing of it was written. Its statement commits on its own, and the commit's error
// comes after the rows, so the outcomes are returned only once the statement has been read to its
// end (see closeRows).
func postMany(ctx context.Context, q rowQueryer, batch []*postCall) ([]postOutcome, error) {
	n := len(batch)
	var (
		keys, kinds, memos, refs, actors = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		hashes                           = make([][]byte, n)
		counts                           = make([]int64, n)
		codes                            []string
		amounts                          []int64
	)
	for i, c := range batch {
		r := &c.Req
		keys[i], kinds[i], memos[i], refs[i], actors[i] = r.IdempotencyKey, r.Kind, r.Memo, r.Reference, r.CreatedBy
		hashes[i], counts[i] = r.hash(), int64(len(r.Postings))
		for _, p := range r.Postings {
			codes, amounts = append(codes, p.Account), append(amounts, p.Amount)
		}
	}
	rows, err := q.QueryContext(ctx, postManyQuery, pq.StringArray(keys), pq.ByteaArray(hashes), pq.StringArray(kinds),
		pq.StringArray(memos), pq.StringArray(refs), pq.StringArray(actors), pq.Int64Array(counts),
		pq.StringArray(codes), pq.Int64Array(amounts))
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	out := make([]postOutcome, n)
	seen := 0
	for rows.Next() {
		i, o, err := scanPostMany(rows)
		if err != nil {
			return nil, err
		}
		if i < 1 || i > n || out[i-1].ch != nil || out[i-1].err != nil {
			return nil, fmt.Errorf("ledger: ledger_post_many answered request %d of %d twice or out of range", i, n)
		}
		out[i-1] = o
		seen++
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	if seen != n {
		return nil, fmt.Errorf("ledger: ledger_post_many answered %d of %d requests", seen, n)
	}
	return out, nil
}

// scanPostMany reads one row of ledger_post_many: the request's place (from 1) and its outcome.
func scanPostMany(rows *sql.Rows) (int, postOutcome, error) {
	var (
		n                                     int
		code, detail                          sql.NullString
		id                                    sql.NullInt64
		replayed                              bool
		at                                    sql.NullTime
		codes                                 pq.StringArray
		accounts, slots, nslots, posted, pend pq.Int64Array
		versions                              pq.Int64Array
	)
	if err := rows.Scan(&n, &code, &detail, &id, &replayed, &at, &accounts, &codes, &slots, &nslots, &posted, &pend,
		&versions); err != nil {
		return 0, postOutcome{}, dbError(err)
	}
	if code.Valid {
		// The error ledger_post raises for this request alone, mapped as it would be.
		return n, postOutcome{err: dbError(&pq.Error{Code: pq.ErrorCode(code.String), Detail: detail.String,
			Message: "ledger_post_many refused the request"})}, nil
	}
	if !id.Valid {
		return 0, postOutcome{}, errors.New("ledger: ledger_post_many returned a request without a transaction")
	}
	if replayed {
		return n, postOutcome{ch: []change{{id: id.Int64, replayed: true}}}, nil
	}
	if len(accounts) == 0 {
		return 0, postOutcome{}, errors.New("ledger: ledger_post_many returned a transaction without postings")
	}
	ch := make([]change, len(accounts))
	for i := range accounts {
		ch[i] = change{id: id.Int64, at: at.Time, accountID: accounts[i], code: codes[i], slot: int(slots[i]),
			slots: int(nslots[i]), posted: posted[i], pending: pend[i], version: versions[i]}
	}
	return n, postOutcome{ch: ch}, nil
}
