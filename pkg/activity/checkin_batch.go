package activity

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// Check-ins that arrive at the same moment (a Volunteer Day morning) go to PostgreSQL together: a
// scan queues its check-in, and up to checkInWriters goroutines each take what is queued, at most
// checkInBatch, and write it with one statement (checkInManyQuery) that decides each scan as
// checkInQuery decides it alone: its own activity, instant, window, sign-up and position. A scan
// that finds no writer busy is taken at once and checked in alone: none waits for a timer. The
// single use of a member code is settled before (qr.Spend), per scan, as before.

const (
	checkInBatch   = 64
	checkInWriters = 2
	// checkInTimeout bounds a batch's statement: it serves many scans, so no one scan's context
	// governs it.
	checkInTimeout = 30 * time.Second
)

// checkInManyQuery is checkInQuery over arrays: row n of the arrays is one scan. Of the scans of one
// volunteer at one activity, the first in the arrays' order inserts (ON CONFLICT DO NOTHING); the
// others find its attendance afterwards, as a second scan does. An attendance is matched back to its
// scan by activity, volunteer, instant and scanner.
var checkInManyQuery = fmt.Sprintf(`
WITH x AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[], $5::float8[], $6::float8[],
                         $7::boolean[], $8::timestamptz[]) WITH ORDINALITY
        AS x (activity_id, user_id, at, by, lat, lng, out_only, latest_start, n)
), t AS (
    INSERT INTO attendances (activity_id, user_id, source, check_in_at, check_in_by, inside_at_check_in)
    SELECT a.id, x.user_id, 'scan', x.at, x.by,
        CASE WHEN x.lat IS NOT NULL AND x.lng IS NOT NULL AND a.radius_m IS NOT NULL
            THEN %s <= a.radius_m END
    FROM x CROSS JOIN LATERAL (SELECT * FROM activities a WHERE a.id = x.activity_id AND a.kind = 'activity' OFFSET 0) a
    WHERE NOT x.out_only AND a.status = 'open' AND a.starts_at <= x.latest_start AND x.at <= a.ends_at
      AND (NOT a.signup_required
           OR EXISTS (SELECT 1 FROM signups s WHERE s.activity_id = x.activity_id AND s.user_id = x.user_id
                      AND s.status = 'active'))
    ORDER BY x.n
    ON CONFLICT (activity_id, user_id) DO NOTHING
    RETURNING id, activity_id, user_id, check_in_at, check_in_by, inside_at_check_in, created_at
)
SELECT x.n, a.id, a.org_id, a.title, a.starts_at, a.ends_at, a.signup_required, a.latitude, a.longitude, a.radius_m,
    a.status, t.id, t.check_in_at, t.inside_at_check_in, t.created_at, u.name, u.volunteer_no
FROM x
LEFT JOIN LATERAL (SELECT * FROM activities a WHERE a.id = x.activity_id AND a.kind = 'activity' OFFSET 0) a ON true
LEFT JOIN t ON t.activity_id = x.activity_id AND t.user_id = x.user_id AND t.check_in_at = x.at AND t.check_in_by = x.by
LEFT JOIN LATERAL (SELECT u.name, u.volunteer_no FROM users u WHERE u.id = t.user_id OFFSET 0) u ON true
ORDER BY x.n`, fmt.Sprintf(distanceSQL, "x.lat", "x.lng"))

// checkInReq is one scan's check-in; checkInOut what came of it (see checkIn).
type checkInReq struct {
	activityID, userID int64
	by                 string
	at                 time.Time
	pos                *Position
	outOnly            bool
}

type checkInOut struct {
	a        Activity
	att      Attendance
	inserted bool
	err      error
}

type checkInCall struct {
	req  checkInReq
	out  checkInOut
	done chan struct{}
}

// checkIns queues check-ins for the writers.
type checkIns struct {
	mu      sync.Mutex
	queue   []*checkInCall
	running int
	// batches of two or more written together, the scans in them, and batches that failed as a
	// whole and went one by one
	batches, batched, fallbacks atomic.Uint64
}

// CheckInBatchStats says how check-ins went to PostgreSQL since the process started: Batches of
// two or more scans written together, Batched scans in them, Fallbacks batches that went one by one.
type CheckInBatchStats struct {
	Batches, Batched, Fallbacks uint64
}

// CheckInBatchStats returns the counts of the batches of check-ins.
func (s *Service) CheckInBatchStats() CheckInBatchStats {
	g := &s.checkIns
	return CheckInBatchStats{Batches: g.batches.Load(), Batched: g.batched.Load(), Fallbacks: g.fallbacks.Load()}
}

// checkIn reads the activity and checks the volunteer in if check-in is open and they have no
// attendance there yet (see checkInQuery), together with the other scans of the moment; inserted is
// false when nothing was inserted (a second scan, a concurrent one, a check-out code, outside the
// window or without the sign-up required). at must be whole microseconds, as PostgreSQL keeps time,
// so that the caller's reading of the window agrees with the statement's. The answer comes once the
// statement has committed. Errors: ErrActivityNotFound, identity.ErrUserNotFound.
func (s *Service) checkIn(ctx context.Context, activityID, userID int64, by string, at time.Time, pos *Position,
	outOnly bool) (Activity, Attendance, bool, error) {
	c := &checkInCall{req: checkInReq{activityID, userID, by, at, pos, outOnly}, done: make(chan struct{})}
	g := &s.checkIns
	g.mu.Lock()
	g.queue = append(g.queue, c)
	start := g.running < checkInWriters
	if start {
		g.running++
	}
	g.mu.Unlock()
	if start {
		go s.checkInLoop()
	}
	select {
	case <-c.done:
		return c.out.a, c.out.att, c.out.inserted, c.out.err
	case <-ctx.Done():
		return Activity{}, Attendance{}, false, ctx.Err()
	}
}

// checkInLoop writes batches of check-ins until the queue is empty.
func (s *Service) checkInLoop() {
	g := &s.checkIns
	for {
		g.mu.Lock()
		n := min(len(g.queue), checkInBatch)
		if n == 0 {
			g.running--
			g.mu.Unlock()
			return
		}
		batch := make([]*checkInCall, n)
		copy(batch, g.queue)
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), checkInTimeout)
		s.writeCheckIns(ctx, batch)
		cancel()
	}
}

// writeCheckIns checks the batch in with one statement, or each scan alone when it is one or when
// the statement fails as a whole (a member code of a user removed meanwhile), so that each scan
// gets the answer it would have had alone.
func (s *Service) writeCheckIns(ctx context.Context, batch []*checkInCall) {
	if len(batch) > 1 {
		outs, err := s.checkInMany(ctx, batch)
		if err == nil {
			s.checkIns.batches.Add(1)
			s.checkIns.batched.Add(uint64(len(batch)))
			for i, c := range batch {
				c.out = outs[i]
				close(c.done)
			}
			return
		}
		s.checkIns.fallbacks.Add(1)
		s.log.Debug("activity: a batch of check-ins went one by one", "scans", len(batch), "err", err)
	}
	for _, c := range batch {
		r := c.req
		a, att, inserted, err := s.checkInOne(ctx, r.activityID, r.userID, r.by, r.at, r.pos, r.outOnly)
		c.out = checkInOut{a, att, inserted, err}
		close(c.done)
	}
}

// checkInMany runs checkInManyQuery for the batch and returns each scan's outcome in order, once
// the statement has been read to its end (its commit's error comes after the rows).
func (s *Service) checkInMany(ctx context.Context, batch []*checkInCall) ([]checkInOut, error) {
	n := len(batch)
	var (
		acts, users      = make([]int64, n), make([]int64, n)
		ats, latest      = make([]string, n), make([]string, n)
		bys              = make([]string, n)
		lats, lngs       = make([]sql.NullFloat64, n), make([]sql.NullFloat64, n)
		outOnly          = make([]bool, n)
		out              = make([]checkInOut, n)
		seen             = 0
		insertedFor      = map[[2]int64]bool{}
		name, volNo      sql.NullString
		attID            sql.NullInt64
		checkInAt, creat sql.NullTime
		inside           sql.NullBool
		actID            sql.NullInt64
	)
	for i, c := range batch {
		r := c.req
		acts[i], users[i], bys[i], outOnly[i] = r.activityID, r.userID, r.by, r.outOnly
		ats[i], latest[i] = r.at.Format(time.RFC3339Nano), r.at.Add(CheckInOpensBefore).Format(time.RFC3339Nano)
		if r.pos != nil {
			lats[i], lngs[i] = sql.NullFloat64{Float64: r.pos.Lat, Valid: true}, sql.NullFloat64{Float64: r.pos.Lng, Valid: true}
		}
	}
	rows, err := s.stmts.Query(ctx, s.db, checkInManyQuery, pq.Int64Array(acts), pq.Int64Array(users),
		pq.StringArray(ats), pq.StringArray(bys), pq.GenericArray{A: lats}, pq.GenericArray{A: lngs},
		pq.BoolArray(outOnly), pq.StringArray(latest))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			i int
			a Activity
		)
		var title, status sql.NullString
		var orgID sql.NullInt64
		var startsAt, endsAt sql.NullTime
		var signup sql.NullBool
		if err := rows.Scan(&i, &actID, &orgID, &title, &startsAt, &endsAt, &signup, &a.Latitude, &a.Longitude,
			&a.RadiusM, &status, &attID, &checkInAt, &inside, &creat, &name, &volNo); err != nil {
			return nil, err
		}
		if i < 1 || i > n {
			return nil, fmt.Errorf("activity: check-in batch answered scan %d of %d", i, n)
		}
		seen++
		if !actID.Valid {
			out[i-1] = checkInOut{err: ErrActivityNotFound}
			continue
		}
		a.ID, a.OrgID, a.Title, a.StartsAt, a.EndsAt = actID.Int64, orgID.Int64, title.String, startsAt.Time, endsAt.Time
		a.SignupRequired, a.Status = signup.Bool, status.String
		r := batch[i-1].req
		key := [2]int64{r.activityID, r.userID}
		if !attID.Valid || insertedFor[key] {
			out[i-1] = checkInOut{a: a}
			continue
		}
		insertedFor[key] = true
		at, created := checkInAt.Time, creat.Time
		var in *bool
		if inside.Valid {
			b := inside.Bool // inside is the next row's too
			in = &b
		}
		out[i-1] = checkInOut{a: a, inserted: true, att: Attendance{ID: attID.Int64, ActivityID: a.ID, UserID: r.userID,
			VolunteerName: name.String, VolunteerNo: volNo.String, Source: "scan", CheckInAt: &at, InsideAtCheckIn: in,
			Status: StatusOpen, CreatedAt: created}}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if seen != n {
		return nil, fmt.Errorf("activity: check-in batch answered %d of %d scans", seen, n)
	}
	return out, nil
}
