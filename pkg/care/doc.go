// Package care keeps the care registry: people who receive care (elderly living alone, disabled,
// 低保, 特困, left-behind children …), how closely to follow them (a risk colour, 三色), the
// volunteers paired with them (结对) and their visits, and the community's board of who is due.
//
// A person's real name, address and phone are sealed at the column level (pkg/sealed) under the
// newest key version of the service's one key table (sealed_key_versions); sealed.Rotate re-seals
// them with every other sealed column of the service (`timebank keys rotate`). Only the
// roles of the person's community and the volunteers paired with them see them unmasked (MayUnmask),
// and every unmasked read is written to the audit log.
package care

import (
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/qr"
	"timebank/pkg/sealed"
)

// Errors of the care registry.
var (
	ErrInvalid          = errors.New("care: invalid request")
	ErrPersonNotFound   = errors.New("care: person not found")
	ErrPairingNotFound  = errors.New("care: pairing not found")
	ErrProposalNotFound = errors.New("care: proposal not found")
	ErrNotPermitted     = errors.New("care: not permitted to see this person unmasked")
	ErrNotPaired        = errors.New("care: the volunteer is not paired with this person")
	ErrBadCard          = errors.New("care: the card code is not this person's")
	ErrDecided          = errors.New("care: the proposal has been decided")
	ErrIdempotency      = errors.New("care: idempotency key reused with a different request")
	ErrPairingEnded     = errors.New("care: the pairing has ended")
)

func invalid(field, reason string) error { return fields.New(ErrInvalid, field, reason) }

// Options are the optional parts of the service.
type Options struct {
	BaseURL string
	// Activities and Ledger, when set, make each visit a verified service record that earns
	// credits by the path of an activity (activity.RecordService); without them visits earn nothing.
	Activities *activity.Service
	Ledger     *ledger.Ledger
	Now        func() time.Time
}

// Service is the care registry.
type Service struct {
	db    *sqlx.DB
	box   *sealed.Box // opens every version; writers seal with box.At(sealed.Current)
	codes *qr.Signer
	opt   Options

	hashKey []byte // of the requests kept with their idempotency keys (requestHash)
}

// New returns the care registry over db; derive is config.DeriveKey, codes the service's QR signer.
func New(db *sqlx.DB, derive func(label string) []byte, codes *qr.Signer, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Service{db: db, box: sealed.New(derive, 1), codes: codes, opt: opt, hashKey: derive("care request hash")}
}
