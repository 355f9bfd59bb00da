package care

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/qr"
)

// Card returns the code printed on the person's card (its token, and the URL a phone's camera
// opens): signed, never expiring, carrying the card's version so that a reprint voids the cards
// printed before.
// Errors: ErrPersonNotFound.
func (s *Service) Card(ctx context.Context, personID int64) (token, url string, err error) {
	var version int64
	if err := s.db.GetContext(ctx, &version, `SELECT card_version FROM care_people WHERE id = $1`, personID); err != nil {
		return "", "", notFound(err, ErrPersonNotFound)
	}
	token, _, err = s.codes.Issue(qr.CareCard, personID, version, time.Time{})
	if err != nil {
		return "", "", err
	}
	return token, s.opt.BaseURL + "/q/" + token, nil
}

// ReprintCard moves the person's card to a new version: the cards printed before no longer prove a
// visit (a card lost, or kept by someone who should not have it).
// Errors: ErrPersonNotFound.
func (s *Service) ReprintCard(ctx context.Context, personID int64) (token, url string, err error) {
	res, err := s.db.ExecContext(ctx, `UPDATE care_people SET card_version = card_version + 1 WHERE id = $1`, personID)
	if err != nil {
		return "", "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", "", ErrPersonNotFound
	}
	return s.Card(ctx, personID)
}

// cardPerson checks a scanned card code and returns the person it names.
// Errors: ErrBadCard.
func (s *Service) cardPerson(ctx context.Context, token string) (int64, error) {
	return CardOwner(ctx, s.db, s.codes, token, s.opt.Now())
}

// CardOwner checks a scanned card code (signed by codes, of a person still in the registry, of the
// card's current version) and returns the person it names. Other areas that take a person's card at
// the door, such as a service request done for them, check it here.
// Errors: ErrBadCard.
func CardOwner(ctx context.Context, q sqlx.QueryerContext, codes *qr.Signer, token string, now time.Time) (int64, error) {
	c, err := codes.Verify(qr.FromScan(token), qr.CareCard, now)
	if err != nil {
		return 0, ErrBadCard
	}
	var version int64
	if err := sqlx.GetContext(ctx, q, &version, `SELECT card_version FROM care_people WHERE id = $1 AND active`, c.Subject); err != nil {
		return 0, notFound(err, ErrBadCard)
	}
	if version != c.Aux {
		return 0, ErrBadCard
	}
	return c.Subject, nil
}

// CardHolder returns the person a scanned card names (masked), for the visit form.
// Errors: ErrBadCard.
func (s *Service) CardHolder(ctx context.Context, token string) (Person, error) {
	id, err := s.cardPerson(ctx, token)
	if err != nil {
		return Person{}, err
	}
	return s.Person(ctx, id)
}
