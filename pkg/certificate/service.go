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
	signer  *Signer
	baseURL string
	now     func() time.Time
	notify  *notify.Service
	cal     *activity.Calendar
}

// Options configure a Service.
type Options struct {
	BaseURL string           // the public URL: a certificate's code opens BaseURL/c/<code>
	KeyID   byte             // the id of the signing key (default 1; raise it to rotate)
	Now     func() time.Time // the clock (default time.Now)
	Notify  *notify.Service  // tells the volunteer of an issued certificate (nil: nobody is told)
	// Calendar counts the working days a request is due in (default: one of its own over db).
	Calendar *activity.Calendar
}

// New returns the service over db, signing with keys derived by derive (config.DeriveKey).
func New(db *sqlx.DB, derive func(label string) []byte, opts Options) (*Service, error) {
	if opts.KeyID == 0 {
		opts.KeyID = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	signer, err := NewSigner(derive, opts.KeyID)
	if err != nil {
		return nil, err
	}
	if opts.Calendar == nil {
		opts.Calendar = activity.NewCalendar(db, opts.Now)
	}
	return &Service{db: db, signer: signer, baseURL: opts.BaseURL, now: opts.Now, notify: opts.Notify,
		cal: opts.Calendar}, nil
}

// Signer returns the keys that sign and check verification codes.
func (s *Service) Signer() *Signer { return s.signer }

// Verify checks a verification code offline (see Signer.Verify).
// Errors: ErrBadToken.
func (s *Service) Verify(token string) (Claims, error) { return s.signer.Verify(token) }

// WellKnown returns the public keys document (see Signer.WellKnown).
func (s *Service) WellKnown() []byte { return s.signer.WellKnown(s.baseURL + "/c/") }

// VerifyURL returns the address a certificate's QR code opens.
func (s *Service) VerifyURL(token string) string { return s.baseURL + "/c/" + token }

// inTx runs fn in a transaction and commits it, reporting the commit's error.
func (s *Service) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("certificate: commit: %w", err)
	}
	return nil
}
