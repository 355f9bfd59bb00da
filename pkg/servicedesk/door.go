package servicedesk

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"timebank/pkg/care"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
)

// VisitValidity is how long after the time asked for a request's door code still starts it: a visit
// put off by a few days still counts, a slip found weeks later proves nothing. A request confirmed or
// cancelled is refused sooner.
const VisitValidity = 7 * 24 * time.Hour

// DoorCode is the request's code for the resident to show at the door, and until when it starts
// the request.
type DoorCode struct {
	Token      string    `json:"token"`
	URL        string    `json:"url"`
	ValidUntil time.Time `json:"valid_until"`
}

// VisitCode returns the request's door code, valid until VisitValidity after the time asked for:
// a slip may be printed for a resident without a phone, and says until when it is good.
// Errors: ErrRequestNotFound.
func (s *Service) VisitCode(ctx context.Context, id int64) (DoorCode, error) {
	var wanted time.Time
	err := s.db.GetContext(ctx, &wanted, `SELECT wanted_at FROM service_requests WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return DoorCode{}, ErrRequestNotFound
	} else if err != nil {
		return DoorCode{}, err
	}
	until := wanted.Add(VisitValidity)
	token, err := s.signer.Sign(qr.Claims{Type: qr.ServiceVisit, Subject: id, Expires: until.Unix()})
	if err != nil {
		return DoorCode{}, err
	}
	return DoorCode{Token: token, URL: qr.URL(s.baseURL, token), ValidUntil: until}, nil
}

// Start is the volunteer at the door scanning the request's code, or the card of the registry person
// the request is for (QR type k): the proof of the visit, at the time of the scan. id is the request
// the volunteer is at; 0 takes the one the request's code names (a card names a person, not a
// request, so it needs id). A code of another request, or a card of another person, is refused and
// starts nothing.
// Errors: ErrInvalid (code: not_this_request, not_this_person, required), the qr package's errors,
// care.ErrBadCard, ErrVisitExpired, ErrRequestNotFound, ErrNotYours, ErrWrongStep.
func (s *Service) Start(ctx context.Context, by *principal.Principal, id int64, code string) (Request, error) {
	id, err := s.atDoor(ctx, id, code)
	if err != nil {
		return Request{}, err
	}
	return s.mine(ctx, by, id, "service_request.start", StatusAccepted, StatusStarted, `status = 'started', started_at = $3`, s.now())
}

// atDoor checks a code scanned at the door of request id and returns the request it starts.
func (s *Service) atDoor(ctx context.Context, id int64, code string) (int64, error) {
	token := qr.FromScan(code)
	var person int64
	if token != "" && qr.Type(token[0]) == qr.CareCard {
		if id <= 0 {
			return 0, fieldErr("code", "required")
		}
		var err error
		if person, err = care.CardOwner(ctx, s.db, s.signer, token, s.now()); err != nil {
			return 0, err
		}
	} else {
		c, err := s.signer.Verify(token, qr.ServiceVisit, s.now())
		switch {
		case errors.Is(err, qr.ErrExpired):
			return 0, ErrVisitExpired
		case err != nil:
			return 0, err
		case id > 0 && c.Subject != id:
			return 0, fieldErr("code", "not_this_request")
		}
		id = c.Subject
	}
	var r struct {
		Status   string    `db:"status"`
		WantedAt time.Time `db:"wanted_at"`
		Person   *int64    `db:"care_person_id"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT status, wanted_at, care_person_id FROM service_requests WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrRequestNotFound
	} else if err != nil {
		return 0, err
	}
	if person != 0 && (r.Person == nil || *r.Person != person) {
		return 0, fieldErr("code", "not_this_person")
	}
	// Codes printed before codes carried their validity are held to it here.
	if r.Status == StatusConfirmed || r.Status == StatusCancelled || s.now().After(r.WantedAt.Add(VisitValidity)) {
		return 0, ErrVisitExpired
	}
	return id, nil
}
