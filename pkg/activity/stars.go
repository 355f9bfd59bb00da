package activity

import (
	"context"
	"math"
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

// StarLevel returns the volunteer's star level from their verified service time, with the
// thresholds of the service's policy. The charity supermarket asks it for items reserved to
// volunteers of some stars.
func (s *Service) StarLevel(ctx context.Context, userID int64) (int, error) {
	var minutes int64
	if err := s.db.GetContext(ctx, &minutes,
		`SELECT coalesce(sum(minutes), 0) FROM service_records WHERE user_id = $1`, userID); err != nil {
		return 0, err
	}
	return StarLevel(minutes, s.stars), nil
}
