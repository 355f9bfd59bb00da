package certificate

import (
	"context"
	"database/sql"
	"errors"
)

// Owner returns whose certificate id is and which organization issued it, so that the web layer
// can authorize the volunteer's own download and the organization's staff before reading it.
// Errors: ErrNotFound.
func (s *Service) Owner(ctx context.Context, id int64) (userID, orgID int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT user_id, org_id FROM certificates WHERE id = $1`, id).Scan(&userID, &orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, ErrNotFound
	}
	return userID, orgID, err
}

// OfUser lists a volunteer's certificates from every organization, newest first, records left
// out: what the volunteer sees and downloads.
// Errors: none of its own (database errors only).
func (s *Service) OfUser(ctx context.Context, userID int64) ([]Certificate, error) {
	cs := []Certificate{}
	err := s.db.SelectContext(ctx, &cs, `SELECT `+columns+` FROM certificates c WHERE c.user_id = $1
ORDER BY c.id DESC`, userID)
	return cs, err
}

// RequestsOfUser lists a volunteer's requests to every organization, newest first, with their
// status, due date and any reason of a refusal.
// Errors: none of its own (database errors only).
func (s *Service) RequestsOfUser(ctx context.Context, userID int64) ([]Request, error) {
	rs := []Request{}
	err := s.db.SelectContext(ctx, &rs, `SELECT `+requestColumns+` FROM certificate_requests r
WHERE r.user_id = $1 ORDER BY r.id DESC`, userID)
	return rs, err
}
