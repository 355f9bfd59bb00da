package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pgerr"
	"timebank/pkg/replica"
	"timebank/pkg/txn"
)

// Errors of the user store.
var (
	// ErrInvalid is wrapped by a *fields.Error: the request names what is wrong, field by field.
	ErrInvalid = errors.New("identity: invalid")
	// ErrPhoneTaken means another user already registered the phone number.
	ErrPhoneTaken = errors.New("identity: phone number already registered")
	// ErrResidentIDTaken means another user already gave the resident ID number.
	ErrResidentIDTaken = errors.New("identity: resident ID already registered")
	// ErrBadCredentials means the phone number and password do not match a user. It does not say
	// which of the two was wrong, nor whether the number is registered.
	ErrBadCredentials = errors.New("identity: wrong phone number or password")
	// ErrUserNotFound means there is no user with that id or phone number.
	ErrUserNotFound = errors.New("identity: no such user")
	// ErrClaimNeedsResidentID means the number belongs to a volunteer an organization imported with
	// a resident ID: registering it takes the same ID number, so that knowing a phone number is not
	// enough to take over someone's records.
	ErrClaimNeedsResidentID = errors.New("identity: imported volunteer: the resident ID must match")
)

// unusablePassword is the password hash of a volunteer who was imported and has not registered yet:
// nobody can log in with it, and registering the number claims the account.
const unusablePassword = "!"

// invalid refuses a request for one field.
func invalid(field, reason string) error { return fields.New(ErrInvalid, field, reason) }

// User is a person who can sign in. Every user is a volunteer with a volunteer number and a ledger
// account. The full phone number stays inside the service; JSON carries the masked form.
type User struct {
	ID               int64      `db:"id" json:"id"`
	Phone            string     `db:"phone" json:"-"`
	Name             string     `db:"name" json:"name"`
	VolunteerNo      string     `db:"volunteer_no" json:"volunteer_no"`
	AccountCode      string     `db:"account_code" json:"account"`
	ResidentIDMasked *string    `db:"resident_id_masked" json:"resident_id,omitempty"`
	Gender           *string    `db:"gender" json:"gender,omitempty"`
	BirthDate        *time.Time `db:"birth_date" json:"-"`
	Lang             string     `db:"lang" json:"lang"`
	CreatedAt        time.Time  `db:"created_at" json:"created_at"`
	PasswordHash     string     `db:"password_hash" json:"-"`
}

// PhoneMasked returns the phone number as pages show it: 138****5678.
func (u User) PhoneMasked() string { return MaskPhone(u.Phone) }

const userColumns = `id, phone, name, volunteer_no, account_code, resident_id_masked, gender, birth_date, lang,
	created_at, password_hash`

// Registration is what a person gives to register (or what an administrator or an import gives
// for them). The resident ID is optional real-name data.
type Registration struct {
	Phone      string `json:"phone"`
	Password   string `json:"password"`
	Name       string `json:"name"`
	ResidentID string `json:"resident_id,omitempty"`
	Lang       string `json:"lang,omitempty"`
	// PrivacyConsent is the person's consent to the privacy notice (PrivacyNotice), required
	// before an ID number is taken. The time and the notice's version are kept with the user.
	PrivacyConsent bool `json:"privacy_consent,omitempty"`
	// ConsentAlways asks consent of everyone, not only of those giving an ID number: the
	// registration page does (it takes a phone number and a name, and says so in its notice).
	ConsentAlways bool `json:"-"`
	// Code is the registration code sent to the phone (RegistrationCode): a person registering
	// themselves gives it (the web checks it); an administrator's or an import's registration not.
	Code string `json:"code,omitempty"`
}

// PrivacyNotice is the version of the privacy notice (the page /privacy) that consent is given to:
// a new version is a new date, and the consent kept names the one the person read.
const PrivacyNotice = "2026-12-07"

// cleanName trims a display name and reports whether it is 1–50 printable characters.
func cleanName(s string) (string, bool) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	return s, utf8.ValidString(s) && n >= 1 && n <= 50 && !strings.ContainsFunc(s, unicode.IsControl)
}

// Check reports what is wrong with the registration without registering anyone: for a form that
// must say everything at once, together with rules of its own.
// Errors: ErrInvalid (*fields.Error).
func (r Registration) Check() error { return r.normalize(time.Now()) }

// normalize checks the registration and brings phone, name and ID to their stored forms.
func (r *Registration) normalize(now time.Time) error {
	bad := fields.Set{}
	phone, err := NormalizePhone(r.Phone)
	if err != nil {
		bad["phone"] = "phone_invalid"
	}
	r.Phone = phone
	var ok bool
	if r.Name, ok = cleanName(r.Name); !ok {
		bad["name"] = "name_length"
	}
	if err := ValidatePassword(r.Password, r.Phone); err != nil {
		bad["password"] = passwordReason(err)
	}
	if strings.TrimSpace(r.ResidentID) != "" {
		id, err := NormalizeResidentID(r.ResidentID, now)
		if err != nil {
			bad["resident_id"] = residentIDReason(err)
		}
		r.ResidentID = id
	}
	// Consent to the privacy notice is required before an ID number is taken, and from everyone
	// where ConsentAlways says so.
	if !r.PrivacyConsent && (r.ResidentID != "" || r.ConsentAlways) {
		bad["privacy_consent"] = "privacy_consent_required"
	}
	switch r.Lang {
	case "":
		r.Lang = "zh-CN"
	case "zh-CN", "en":
	default:
		bad["lang"] = "lang_invalid"
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return err
	}
	return nil
}

func passwordReason(err error) string {
	switch {
	case errors.Is(err, ErrPasswordTooShort):
		return "password_short"
	case errors.Is(err, ErrPasswordTooLong):
		return "password_long"
	case errors.Is(err, ErrPasswordCommon):
		return "password_common"
	case errors.Is(err, ErrPasswordLikePhone):
		return "password_phone"
	}
	return "password_invalid"
}

func residentIDReason(err error) string {
	switch {
	case errors.Is(err, ErrResidentIDRegion):
		return "resident_id_region"
	case errors.Is(err, ErrResidentIDBirthDate):
		return "resident_id_birth"
	case errors.Is(err, ErrResidentIDChecksum):
		return "resident_id_checksum"
	}
	return "resident_id_format"
}

// Users is the store of users.
type Users struct {
	db     *sqlx.DB
	ledger *ledger.Ledger
	idKey  []byte
	cache  *principalCache // nil: every principal is read from PostgreSQL (CachePrincipals)
	// exports is where the members export reads (ReadExportsFrom); db unless told.
	exports replica.Reader
}

// AccountOf is the code of the user's ledger account ("vol:<id>"; the database holds every user to it).
func AccountOf(userID int64) string { return "vol:" + strconv.FormatInt(userID, 10) }

// NewUsers returns the user store. idKey keys the hash of resident ID numbers (derive it from the
// service secret): without it the hashes cannot be matched against a list of numbers.
func NewUsers(db *sqlx.DB, l *ledger.Ledger, idKey []byte) *Users {
	return &Users{db: db, ledger: l, idKey: idKey, exports: db}
}

// Register creates a user with a volunteer number and a ledger account, in one transaction.
// Errors: ErrInvalid (*fields.Error), ErrPhoneTaken, ErrResidentIDTaken.
func (u *Users) Register(ctx context.Context, r Registration) (User, error) {
	if err := r.normalize(time.Now()); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(r.Password)
	if err != nil {
		return User{}, err
	}
	var user User
	err = txn.Run(ctx, u.db, func(tx *sqlx.Tx) (err error) {
		user, err = u.insert(ctx, tx, r, hash)
		return err
	})
	if errors.Is(err, ErrPhoneTaken) {
		return u.claim(ctx, r, hash) // once the refused insert is rolled back
	} else if err != nil {
		return User{}, err
	}
	return user, nil
}

// claim lets a person register the number an organization imported them with: it sets their
// password and name. When the import gave a resident ID, the registration must give the same one.
// Errors: ErrPhoneTaken (the number is a registered user's), ErrClaimNeedsResidentID.
func (u *Users) claim(ctx context.Context, r Registration, hash string) (User, error) {
	existing, err := u.ByPhone(ctx, r.Phone)
	if err != nil {
		return User{}, err
	}
	if existing.PasswordHash != unusablePassword {
		return User{}, ErrPhoneTaken
	}
	var idHash *string
	if r.ResidentID != "" {
		h := HashResidentID(u.idKey, r.ResidentID)
		idHash = &h
	}
	// The row is claimed once: a concurrent registration finds the password set and gets ErrPhoneTaken.
	var user User
	err = u.db.GetContext(ctx, &user, `UPDATE users SET password_hash = $2, name = $3, lang = $4, password_changed_at = now(),
		    privacy_consent_at = CASE WHEN $6 THEN now() ELSE privacy_consent_at END,
		    privacy_notice = CASE WHEN $6 THEN $7 ELSE privacy_notice END
		WHERE id = $1 AND password_hash = '`+unusablePassword+`'
		  AND (resident_id_hash IS NULL OR resident_id_hash = $5)
		RETURNING `+userColumns, existing.ID, hash, r.Name, r.Lang, idHash, r.PrivacyConsent, PrivacyNotice)
	if errors.Is(err, sql.ErrNoRows) {
		again, err := u.ByID(ctx, existing.ID)
		if err == nil && again.PasswordHash == unusablePassword {
			return User{}, ErrClaimNeedsResidentID
		}
		return User{}, ErrPhoneTaken
	} else if err != nil {
		return User{}, err
	}
	u.changed(ctx, userTopic(user.ID)) // the name the organization imported is the person's own now
	return user, nil
}

func (u *Users) insert(ctx context.Context, tx *sqlx.Tx, r Registration, hash string) (User, error) {
	var idHash, idMasked, gender *string
	var birth *time.Time
	if r.ResidentID != "" {
		h, m := HashResidentID(u.idKey, r.ResidentID), MaskResidentID(r.ResidentID)
		idHash, idMasked = &h, &m
		if g, err := GenderFromResidentID(r.ResidentID); err == nil {
			s := string(g)
			gender = &s
		}
		if b, err := BirthDateFromResidentID(r.ResidentID); err == nil {
			birth = &b
		}
	}
	// The id is drawn first so that the volunteer number and the ledger account can name it.
	const q = `
WITH n AS (SELECT nextval(pg_get_serial_sequence('users', 'id')) AS id)
INSERT INTO users (id, phone, password_hash, name, volunteer_no, account_code,
                   resident_id_hash, resident_id_masked, gender, birth_date, lang, privacy_consent_at, privacy_notice)
SELECT n.id, $1, $2, $3, 'V' || lpad(n.id::text, 9, '0'), 'vol:' || n.id, $4, $5, $6, $7, $8,
       CASE WHEN $9 THEN now() END, CASE WHEN $9 THEN $10 END FROM n
RETURNING ` + userColumns
	var user User
	err := tx.GetContext(ctx, &user, q, r.Phone, hash, r.Name, idHash, idMasked, gender, birth, r.Lang,
		r.PrivacyConsent, PrivacyNotice)
	if err != nil {
		return User{}, userError(err)
	}
	if _, err := u.ledger.CreateAccountTx(ctx, tx, ledger.NewAccount{Code: user.AccountCode, Kind: ledger.KindVolunteer}); err != nil {
		return User{}, fmt.Errorf("identity: ledger account of user %d: %w", user.ID, err)
	}
	return user, nil
}

// userError turns the users table's unique violations into domain errors.
func userError(err error) error {
	switch {
	case pgerr.Unique(err, "users_phone_key"):
		return ErrPhoneTaken
	case pgerr.Unique(err, "users_resident_id_key"):
		return ErrResidentIDTaken
	}
	return err
}

// Authenticate returns the user with the phone number and password. It takes as long for an unknown
// number as for a wrong password, so the answer does not tell whether the number is registered.
// Errors: ErrBadCredentials.
func (u *Users) Authenticate(ctx context.Context, phone, password string) (User, error) {
	p, err := NormalizePhone(phone)
	if err != nil || len(password) > MaxPasswordBytes {
		DummyCheckPassword(password)
		return User{}, ErrBadCredentials
	}
	user, err := u.ByPhone(ctx, p)
	if errors.Is(err, ErrUserNotFound) {
		DummyCheckPassword(password)
		return User{}, ErrBadCredentials
	} else if err != nil {
		return User{}, err
	}
	if user.PasswordHash == unusablePassword { // imported, not registered yet
		DummyCheckPassword(password)
		return User{}, ErrBadCredentials
	}
	ok, err := CheckPassword(user.PasswordHash, password)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, ErrBadCredentials
	}
	return user, nil
}

// ByID returns the user. Errors: ErrUserNotFound.
func (u *Users) ByID(ctx context.Context, id int64) (User, error) {
	return u.one(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
}

// ByPhone returns the user with the normalised phone number. Errors: ErrUserNotFound.
func (u *Users) ByPhone(ctx context.Context, phone string) (User, error) {
	return u.one(ctx, `SELECT `+userColumns+` FROM users WHERE phone = $1`, phone)
}

func (u *Users) one(ctx context.Context, q string, arg any) (User, error) {
	var user User
	err := u.db.GetContext(ctx, &user, q, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrUserNotFound
	}
	return user, err
}

// ChangePassword replaces the password after checking the current one.
// Errors: ErrInvalid (*fields.Error: current_password wrong, or new_password too weak).
func (u *Users) ChangePassword(ctx context.Context, id int64, current, next string) error {
	user, err := u.ByID(ctx, id)
	if err != nil {
		return err
	}
	ok, err := CheckPassword(user.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		// A field error, not ErrBadCredentials: the person is signed in, and a client must not
		// take a mistyped password for an expired session.
		return invalid("current_password", "password_wrong")
	}
	if err := ValidatePassword(next, user.Phone); err != nil {
		return invalid("new_password", passwordReason(err))
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	_, err = u.db.ExecContext(ctx, `UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1`, id, hash)
	return err
}

// SetLang remembers the user's language ("zh-CN" or "en").
// Errors: ErrInvalid (*fields.Error).
func (u *Users) SetLang(ctx context.Context, id int64, lang string) error {
	if lang != "zh-CN" && lang != "en" {
		return invalid("lang", "lang_invalid")
	}
	_, err := u.db.ExecContext(ctx, `UPDATE users SET lang = $2 WHERE id = $1`, id, lang)
	return err
}
