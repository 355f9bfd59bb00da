package activity

import (
	"context"
	"math"
	"slices"
)

// StarLevel returns how many stars (星级志愿者) a volunteer with minutes of verified service has:
// the number of thresholds, in whole hours, that the minutes reach. Reaching a threshold exactly
// counts. thresholds must rise strictly, as Policy.Validate ensures; were they not, counting stops
// at the first one not reached, so a broken policy never awards a star too many.
func StarLevel(minutes int64, thresholds []int64) int {
	// minutes ≥ 60·h exactly when ⌊minutes/60⌋ ≥ h, and the division cannot overflow.
	hours := minutes / 60
	if minutes < 0 {
		hours = -1
	}
	level := 0
	for _, h := range thresholds {
		if hours < h {
			break
		}
		level++
	}
	return level
}

// StarProgress is what the volunteer's page shows about stars.
type StarProgress struct {
	Level int // stars held, 0 to the number of thresholds
	// NextLevel is Level+1, or 0 when the volunteer holds every star.
	NextLevel int
	// NextHours is the threshold of NextLevel in hours (0 at the top).
	NextHours int64
	// MinutesNeeded is the verified minutes still to serve for NextLevel (0 at the top).
	MinutesNeeded int64
}

// StarProgressOf returns the stars held with minutes of verified service and what the next star
// takes, under the same rules as StarLevel.
func StarProgressOf(minutes int64, thresholds []int64) StarProgress {
	level := StarLevel(minutes, thresholds)
	if level >= len(thresholds) {
		return StarProgress{Level: level}
	}
	next := thresholds[level]
	needed := int64(math.MaxInt64)
	if next <= math.MaxInt64/60 {
		needed = next*60 - max(minutes, 0)
	}
	return StarProgress{Level: level, NextLevel: level + 1, NextHours: next, MinutesNeeded: needed}
}

// Whose thresholds count: a volunteer's stars always count all their verified service, wherever
// it was given (the record is the proof, not the organization), and the thresholds are those of the
// organization in question: the store's organization when its items need stars, the organization's
// own pages. A page that belongs to no organization (the volunteer's own records) uses the platform's
// (DefaultPolicy, 100/300/600/1000/1500 h) and lists beside them the organizations served whose
// thresholds differ.

// StarLevel returns the volunteer's star level from all their verified service time, under the
// thresholds of the organization orgID (the store's, for items kept for volunteers with stars), or
// the platform's for orgID 0 or an organization that set none.
func (s *Service) StarLevel(ctx context.Context, userID, orgID int64) (int, error) {
	minutes, err := s.verifiedMinutes(ctx, userID)
	if err != nil {
		return 0, err
	}
	th, err := s.StarThresholds(ctx, orgID)
	if err != nil {
		return 0, err
	}
	return StarLevel(minutes, th), nil
}

// StarThresholds returns the star thresholds in hours of the organization, or the platform's for
// orgID 0.
func (s *Service) StarThresholds(ctx context.Context, orgID int64) ([]int64, error) {
	if orgID == 0 {
		return s.stars, nil
	}
	p, err := s.Policy(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return p.StarThresholdsHours, nil
}

// verifiedMinutes is the volunteer's verified service time: what stars count.
func (s *Service) verifiedMinutes(ctx context.Context, userID int64) (int64, error) {
	var minutes int64
	err := s.db.GetContext(ctx, &minutes, `SELECT coalesce(sum(minutes), 0) FROM service_records WHERE user_id = $1`, userID)
	return minutes, err
}

// OrgStars is a volunteer's star level under the thresholds of one organization they served.
type OrgStars struct {
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name"`
	Level   int    `json:"level"`
}

// starsElsewhere returns the volunteer's stars at each organization they served whose thresholds
// differ from the platform's, by organization name.
func (s *Service) starsElsewhere(ctx context.Context, userID, minutes int64) ([]OrgStars, error) {
	var orgs []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	if err := s.db.SelectContext(ctx, &orgs, `
SELECT o.id, o.name FROM organizations o
WHERE o.id IN (SELECT org_id FROM service_records WHERE user_id = $1)
  AND o.id IN (SELECT org_id FROM activity_policies)
ORDER BY o.name, o.id`, userID); err != nil {
		return nil, err
	}
	out := []OrgStars{}
	for _, o := range orgs {
		th, err := s.StarThresholds(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(th, s.stars) {
			out = append(out, OrgStars{OrgID: o.ID, OrgName: o.Name, Level: StarLevel(minutes, th)})
		}
	}
	return out, nil
}
