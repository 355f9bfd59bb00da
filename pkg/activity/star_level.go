package activity

import "context"

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
