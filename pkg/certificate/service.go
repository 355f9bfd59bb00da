package certificate

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/activity"
	"timebank/pkg/notify"
)

// Service issues, keeps and checks the certificates of every organization.
type Service struct {
	db      *sqlx.DB
	derive  func(label string) []byte // derives the signing keys from the secret (config.DeriveKey)
	baseURL string
	now     func() time.Time
	notify  *notify.Service
	cal     *activity.Calendar
}

// Options configure a Service.
type Options struct {
	BaseURL string           // the public URL: a certificate's code opens BaseURL/c/<code>
	Now     func() time.Time // the clock (default time.Now)
	Notify  *notify.Service  // tells the volunteer of an issued certificate (nil: nobody is told)
	// Calendar counts the working days a request is due in (default: one of its own over db).
	Calendar *activity.Calendar
}

// New returns the service over db, signing with keys derived by derive (config.DeriveKey) under the
// ids of the register of keys (see RotateKey).
func New(db *sqlx.DB, derive func(label string) []byte, opts Options) (*Service, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Calendar == nil {
		opts.Calendar = activity.NewCalendar(db, opts.Now)
	}
	if derive == nil {
		return nil, fmt.Errorf("certificate: no key derivation")
	}
	return &Service{db: db, derive: derive, baseURL: opts.BaseURL, now: opts.Now, notify: opts.Notify,
		cal: opts.Calendar}, nil
}

// Verify checks a verification code offline under the keys of the register of keys (see
// Signer.Verify).
// Errors: ErrBadToken.
func (s *Service) Verify(ctx context.Context, token string) (Claims, error) {
	sg, err := s.signerOf(ctx, s.db)
	if err != nil {
		return Claims{}, err
	}
	return sg.Verify(token)
}

// WellKnown returns the public keys document of every key (see Signer.WellKnown).
// Errors: none of its own (database errors only).
func (s *Service) WellKnown(ctx context.Context) ([]byte, error) {
	sg, err := s.signerOf(ctx, s.db)
	if err != nil {
		return nil, err
	}
	return sg.WellKnown(s.baseURL + "/c/"), nil
}

// VerifyURL returns the address a certificate's QR code opens.
func (s *Service) VerifyURL(token string) string { return s.baseURL + "/c/" + token }
