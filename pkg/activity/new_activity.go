package activity

import (
	"math"
	"time"

	"timebank/fields"
)

// NewActivity is what a coordinator gives to create an activity. Latitude, longitude and radius are
// optional; when given, scans report whether they were inside the radius (never where they were).
type NewActivity struct {
	OrgID          int64     `json:"org_id"`
	Title          string    `json:"title"`
	Content        string    `json:"content"`
	Category       string    `json:"category"`
	Address        string    `json:"address"`
	Latitude       *float64  `json:"latitude,omitempty"`
	Longitude      *float64  `json:"longitude,omitempty"`
	RadiusM        *int      `json:"radius_m,omitempty"`
	StartsAt       time.Time `json:"starts_at"`
	EndsAt         time.Time `json:"ends_at"`
	Capacity       *int      `json:"capacity,omitempty"`
	SignupRequired bool      `json:"signup_required"`
	LeaderName     string    `json:"leader_name"`
	PeopleServed   string    `json:"people_served,omitempty"`
	// IsService says whether the activity counts as volunteer service; true when left out.
	IsService *bool `json:"is_service,omitempty"`
	// RepeatWeeklyUntil, a day written YYYY-MM-DD, repeats the activity every week on the same
	// weekday and time up to that day (China Standard Time), each occurrence its own activity.
	RepeatWeeklyUntil string `json:"repeat_weekly_until,omitempty"`
}

// Limits of a new activity.
const (
	// MaxOccurrences is the most occurrences one weekly series creates (a year of weeks).
	MaxOccurrences = 53
	// MaxActivityLength is the longest one occurrence may be.
	MaxActivityLength = 24 * time.Hour
	// maxScheduleAhead bounds how far ahead an activity may start.
	maxScheduleAhead = 366 * 24 * time.Hour
	// StartGrace is how far in the past a new or moved activity may start: one created a few
	// minutes late is still today's; one that began an hour ago is not an activity to plan but
	// hours to add afterwards (补录).
	StartGrace = 15 * time.Minute
)

func (n NewActivity) service() bool { return n.IsService == nil || *n.IsService }

// validate checks the request against now and the longest occurrence the organization's policy
// allows, brings its text and times to their stored forms, and returns the start of every
// occurrence.
func (n *NewActivity) validate(now time.Time, maxLength time.Duration) ([]time.Time, error) {
	bad := fields.Set{}
	if n.OrgID <= 0 {
		bad["org_id"] = "required"
	}
	for _, f := range []struct {
		name      string
		v         *string
		max       int
		required  bool
		multiline bool
	}{
		{"title", &n.Title, 100, true, false},
		{"content", &n.Content, 2000, false, true},
		{"category", &n.Category, 30, true, false},
		{"address", &n.Address, 200, true, false},
		{"leader_name", &n.LeaderName, 50, true, false},
		{"people_served", &n.PeopleServed, 200, false, false},
	} {
		if r := cleanText(f.v, f.max, f.required, f.multiline); r != "" {
			bad[f.name] = r
		}
	}
	n.checkPlace(bad)
	n.StartsAt, n.EndsAt = n.StartsAt.Truncate(time.Minute), n.EndsAt.Truncate(time.Minute)
	switch {
	case n.StartsAt.IsZero():
		bad["starts_at"] = "required"
	case n.StartsAt.Before(now.Add(-StartGrace)):
		bad["starts_at"] = "in_past"
	case n.StartsAt.After(now.Add(maxScheduleAhead)):
		bad["starts_at"] = "range"
	}
	switch {
	case n.EndsAt.IsZero():
		bad["ends_at"] = "required"
	case !n.EndsAt.After(n.StartsAt):
		bad["ends_at"] = "before_start"
	case n.EndsAt.Sub(n.StartsAt) > min(maxLength, MaxActivityLength):
		bad["ends_at"] = "too_long"
	}
	if n.Capacity != nil && (*n.Capacity < 1 || *n.Capacity > 100000) {
		bad["capacity"] = "range"
	}
	starts := []time.Time{n.StartsAt}
	if n.RepeatWeeklyUntil != "" && len(bad) == 0 {
		until, err := ParseDate(n.RepeatWeeklyUntil)
		if err != nil {
			bad["repeat_weekly_until"] = "format"
		} else {
			n.RepeatWeeklyUntil = until.String()
			starts = weekly(n.StartsAt, until)
			if DateOf(n.StartsAt) == until || DateOf(n.StartsAt).Start().After(until.Start()) {
				bad["repeat_weekly_until"] = "before_start"
			} else if len(starts) > MaxOccurrences {
				bad["repeat_weekly_until"] = "too_many_occurrences"
			}
		}
	}
	return starts, bad.Err(ErrInvalid)
}

// checkPlace checks the optional position: both coordinates or none, in range, and a radius only
// with them.
func (n *NewActivity) checkPlace(bad fields.Set) {
	if (n.Latitude == nil) != (n.Longitude == nil) {
		bad["longitude"] = "latitude_and_longitude"
	}
	if n.Latitude != nil && (math.IsNaN(*n.Latitude) || *n.Latitude < -90 || *n.Latitude > 90) {
		bad["latitude"] = "range"
	}
	if n.Longitude != nil && (math.IsNaN(*n.Longitude) || *n.Longitude < -180 || *n.Longitude > 180) {
		bad["longitude"] = "range"
	}
	if n.RadiusM != nil {
		switch {
		case n.Latitude == nil:
			bad["radius_m"] = "needs_position"
		case *n.RadiusM < 10 || *n.RadiusM > 50000:
			bad["radius_m"] = "range"
		}
	}
}

// weekly returns the starts of a weekly series from start up to the end of day until, at most one
// more than MaxOccurrences (enough for the caller to see it is too many). China Standard Time has
// no daylight saving, so every occurrence is seven times 24 hours after the one before.
func weekly(start time.Time, until Date) []time.Time {
	var out []time.Time
	for t := start; !t.After(until.End()) && len(out) <= MaxOccurrences; t = t.AddDate(0, 0, 7) {
		out = append(out, t)
	}
	return out
}

// Position is where a phone was when it scanned, as its browser reported it. It is used to decide
// inside or outside the activity's radius, then forgotten.
type Position struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Valid reports whether the position is a point on Earth.
func (p Position) Valid() bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lng) && p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180
}
