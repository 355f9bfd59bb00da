package activity

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"timebank/fields"
)

// ListQuery selects open activities that have not ended, nearest start first. Give organizations,
// a point to search near, or both.
type ListQuery struct {
	OrgIDs []int64   // only activities of these organizations; nil for any
	Near   *Position // only activities with a position within RadiusM of this point
	// RadiusM is how far from Near to look, in metres (default DefaultNearM, at most MaxNearM).
	RadiusM int
	From    time.Time // only activities ending after this (default now)
	Cursor  string    // the Next of the previous page
	Limit   int       // default DefaultPage, at most MaxPage
}

// Page sizes and search radii of the lists.
const (
	DefaultPage  = 50
	MaxPage      = 200
	DefaultNearM = 5000
	MaxNearM     = 50000
)

// ActivityPage is a page of activities; Next is the cursor of the following page, empty at the end.
type ActivityPage struct {
	Items []Activity `json:"items"`
	Next  string     `json:"next,omitempty"`
}

// distanceSQL is the haversine distance in metres from the point ($lat, $lng) to the activity.
const distanceSQL = `(6371000 * 2 * asin(least(1, sqrt(
    power(sin(radians(a.latitude - %[1]s) / 2), 2) +
    cos(radians(%[1]s)) * cos(radians(a.latitude)) * power(sin(radians(a.longitude - %[2]s) / 2), 2)))))`

// Activities lists open activities by start time, keyset paged on (start, id).
// Errors: ErrInvalid (*fields.Error: a malformed cursor, a radius out of range, a bad point).
func (s *Service) Activities(ctx context.Context, q ListQuery) (ActivityPage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultPage
	}
	bad := fields.Set{}
	if limit > MaxPage {
		bad["limit"] = "range"
	}
	if q.From.IsZero() {
		q.From = s.now()
	}
	args := []any{q.From}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where := []string{"a.status = 'open'", "a.kind = 'activity'", "a.ends_at > $1"}
	distance := "NULL::int"
	if q.OrgIDs != nil {
		where = append(where, "a.org_id = ANY("+arg(pq.Int64Array(q.OrgIDs))+")")
	}
	if q.Near != nil {
		r := q.RadiusM
		if r == 0 {
			r = DefaultNearM
		}
		switch {
		case !q.Near.Valid():
			bad["near"] = "range"
		case r < 1 || r > MaxNearM:
			bad["radius_m"] = "range"
		}
		lat, lng := arg(q.Near.Lat), arg(q.Near.Lng)
		d := fmt.Sprintf(distanceSQL, lat, lng)
		distance = d + "::int"
		// The box lets the index on (latitude, longitude) narrow the search before the exact distance.
		dLat := float64(r) / 111_000
		dLng := dLat / math.Max(math.Cos(q.Near.Lat*math.Pi/180), 0.01)
		where = append(where, "a.latitude BETWEEN "+arg(q.Near.Lat-dLat)+" AND "+arg(q.Near.Lat+dLat),
			"a.longitude BETWEEN "+arg(q.Near.Lng-dLng)+" AND "+arg(q.Near.Lng+dLng),
			d+" <= "+arg(r))
	}
	if q.Cursor != "" {
		start, id, ok := parseCursor(q.Cursor)
		if !ok {
			bad["cursor"] = "format"
		}
		where = append(where, "(a.starts_at, a.id) > ("+arg(start)+", "+arg(id)+")")
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return ActivityPage{}, err
	}
	query := `SELECT ` + activityColumns + `, ` + distance + ` AS distance_m
FROM activities a JOIN organizations o ON o.id = a.org_id
WHERE ` + strings.Join(where, " AND ") + `
ORDER BY a.starts_at, a.id LIMIT ` + arg(limit+1)
	page := ActivityPage{Items: []Activity{}}
	if err := s.db.SelectContext(ctx, &page.Items, query, args...); err != nil {
		return ActivityPage{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.Next = strconv.FormatInt(last.StartsAt.Unix(), 10) + "_" + strconv.FormatInt(last.ID, 10)
	}
	return page, nil
}

// parseCursor reads "<start unix seconds>_<id>". Starts are whole minutes, so seconds lose nothing.
func parseCursor(c string) (time.Time, int64, bool) {
	a, b, ok := strings.Cut(c, "_")
	if !ok {
		return time.Time{}, 0, false
	}
	secs, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || secs < 0 || secs > 1<<40 || id < 0 {
		return time.Time{}, 0, false
	}
	return time.Unix(secs, 0), id, true
}
