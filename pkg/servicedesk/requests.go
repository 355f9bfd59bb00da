package servicedesk

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
	"timebank/pkg/sealed"
	"timebank/pkg/txn"
)

// The statuses of a request, in the order it moves through them.
const (
	StatusSubmitted = "submitted" // waiting for the team
	StatusAssigned  = "assigned"  // a coordinator gave it to a volunteer, who has not accepted yet
	StatusAccepted  = "accepted"  // the volunteer will come
	StatusStarted   = "started"   // the volunteer scanned the request's code at the door
	StatusFinished  = "finished"  // the volunteer says it is done; the resident confirms
	StatusConfirmed = "confirmed" // confirmed: the service record is made
	// StatusCancelled is off the way: the resident (or someone for them) called the request off
	// before the visit began.
	StatusCancelled = "cancelled"
)

// Statuses lists the statuses of the way in order, to draw it.
var Statuses = []string{StatusSubmitted, StatusAssigned, StatusAccepted, StatusStarted, StatusFinished, StatusConfirmed}

// ListStatuses are the statuses lists filter by: the way's and cancelled.
var ListStatuses = append(slices.Clone(Statuses), StatusCancelled)

// Categories are what a resident may ask for: 助餐, 助洁, 陪诊, 代购, 维修, 心理疏导, 其他.
var Categories = []string{"meal", "cleaning", "escort", "shopping", "repair", "counselling", "other"}

// NewRequest is what a resident (or a grid worker for them) asks.
type NewRequest struct {
	DeskCode string    `json:"desk_code"` // the scanned desk's token
	Category string    `json:"category"`
	WantedAt time.Time `json:"wanted_at"`
	Address  string    `json:"address"`
	Phone    string    `json:"phone"`
	Note     string    `json:"note,omitempty"`
	// Name is the resident's, when someone asks for a resident who is not in the care registry (a
	// grid worker, a family member); optional.
	Name string `json:"name,omitempty"`
	// ForSelf: the person asking is the person served; otherwise a family member or grid worker asks
	// for someone, possibly a person of the care registry (CarePersonID).
	ForSelf      bool   `json:"for_self"`
	CarePersonID *int64 `json:"care_person_id,omitempty"`
	// SMSCode proves the phone when nobody signed in asks.
	SMSCode string `json:"sms_code,omitempty"`
}

// How far ahead a service may be asked for, and how late "now" may be.
const (
	maxAhead  = 60 * 24 * time.Hour
	maxBehind = time.Hour
)

func (n *NewRequest) validate(now time.Time, signedIn bool) error {
	bad := fields.Set{}
	var r string
	if !slices.Contains(Categories, n.Category) {
		bad["category"] = "unknown"
	}
	switch {
	case n.WantedAt.IsZero():
		bad["wanted_at"] = "required"
	case n.WantedAt.Before(now.Add(-maxBehind)), n.WantedAt.After(now.Add(maxAhead)):
		bad["wanted_at"] = "range"
	}
	if n.Address, r = (fields.Text{Max: 200, Required: true}).Clean(n.Address); r != "" {
		bad["address"] = r
	}
	if n.Name, r = (fields.Text{Max: 50}).Clean(n.Name); r != "" {
		bad["name"] = r
	}
	if n.Note, r = (fields.Text{Max: 500, Multiline: true}).Clean(n.Note); r != "" {
		bad["note"] = r
	}
	if p, err := identity.NormalizePhone(n.Phone); err != nil {
		bad["phone"] = "format"
	} else {
		n.Phone = p
	}
	if n.CarePersonID != nil && (*n.CarePersonID <= 0 || n.ForSelf || !signedIn) {
		bad["care_person_id"] = "not_allowed"
	}
	n.SMSCode = strings.TrimSpace(n.SMSCode)
	if !signedIn && len(n.SMSCode) != 6 {
		bad["sms_code"] = "required"
	}
	if n.DeskCode == "" {
		bad["desk_code"] = "required"
	}
	return bad.Err(ErrInvalid)
}

// Created is a new request with the link that lets its resident follow, confirm and rate it.
type Created struct {
	Request Request `json:"request"`
	// Access is the resident's key to the request: keep it (the page's address holds it).
	Access   string `json:"access"`
	Replayed bool   `json:"replayed"`
}

// Create records a request on the desk the code names. Nobody signed in (by nil) proves the phone
// with the SMS code sent by RequestCode; a signed-in grid worker asks on someone's behalf without
// one. The same key on the same desk returns the first request (Replayed).
// Errors: ErrInvalid, the qr package's errors (desk_code), ErrDeskNotFound, ErrCode.
func (s *Service) Create(ctx context.Context, by *principal.Principal, key string, n NewRequest) (Created, error) {
	if err := n.validate(s.now(), by != nil); err != nil {
		return Created{}, err
	}
	if key, _ = (fields.Text{Max: 100, Required: true}).Clean(key); key == "" {
		return Created{}, fieldErr("idempotency_key", "required")
	}
	desk, err := s.DeskByCode(ctx, n.DeskCode)
	if err != nil {
		return Created{}, err
	}
	index := s.box.Index(colPhone, n.Phone)
	if c, ok, err := s.replay(ctx, desk.ID, key, index); err != nil || ok {
		return c, err
	}
	submitted := "phone"
	if by != nil {
		submitted = by.Label()
	} else if err := s.useCode(ctx, n.Phone, purposeCreate, 0, n.SMSCode); err != nil {
		return Created{}, err
	}
	var id int64
	err = txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		if n.CarePersonID != nil {
			// Only a person of the registry in the desk's own community can be served by its team.
			var here bool
			err := tx.GetContext(ctx, &here, `SELECT EXISTS (SELECT 1 FROM care_people WHERE id = $1 AND region_code = $2)`,
				*n.CarePersonID, desk.RegionCode)
			if err != nil {
				return err
			}
			if !here {
				return fieldErr("care_person_id", "not_found")
			}
		}
		v, err := sealed.Current(ctx, tx)
		if err != nil {
			return err
		}
		b := s.box.At(v)
		err = tx.GetContext(ctx, &id, `
INSERT INTO service_requests (desk_id, org_id, region_code, category, wanted_at, note, for_self, care_person_id,
    phone_sealed, phone_index, address_sealed, key_version, submitted_by, idempotency_key, created_at, name_sealed)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT (desk_id, idempotency_key) DO NOTHING RETURNING id`,
			desk.ID, desk.OrgID, desk.RegionCode, n.Category, n.WantedAt, n.Note, n.ForSelf, n.CarePersonID,
			b.Seal(colPhone, n.Phone), index, b.Seal(colAddress, n.Address), v, submitted, key, s.now(), sealName(b, n.Name))
		if errors.Is(err, sql.ErrNoRows) {
			return nil // a concurrent twin won: replayed below
		}
		return err
	})
	if err != nil {
		return Created{}, err
	}
	if id == 0 {
		c, _, err := s.replay(ctx, desk.ID, key, index)
		return c, err
	}
	r, err := s.Request(ctx, id, Viewer{Resident: true})
	return Created{Request: r, Access: s.Access(id)}, err
}

// sealName seals a resident's name in the request's box; no name is NULL.
func sealName(b *sealed.Box, name string) []byte {
	if name == "" {
		return nil
	}
	return b.Seal(colName, name)
}

// replay returns the request the key already made on the desk, if it was made from the same phone.
func (s *Service) replay(ctx context.Context, deskID int64, key string, index []byte) (Created, bool, error) {
	var row struct {
		ID    int64  `db:"id"`
		Index []byte `db:"phone_index"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT id, phone_index FROM service_requests WHERE desk_id = $1 AND idempotency_key = $2`, deskID, key)
	if errors.Is(err, sql.ErrNoRows) {
		return Created{}, false, nil
	} else if err != nil {
		return Created{}, false, err
	}
	if !hmac.Equal(row.Index, index) {
		return Created{}, false, fieldErr("idempotency_key", "conflict")
	}
	r, err := s.Request(ctx, row.ID, Viewer{Resident: true})
	return Created{Request: r, Access: s.Access(row.ID), Replayed: true}, true, err
}

// Access is the resident's key to a request: its id and a keyed hash of it, so that nothing needs
// storing and a guessed id opens nothing.
func (s *Service) Access(id int64) string {
	mac := s.box.Index("service_requests.access", strconv.FormatInt(id, 10))
	return strconv.FormatInt(id, 10) + "-" + base64.RawURLEncoding.EncodeToString(mac[:16])
}

// RequestByAccess returns the request the resident's key opens. Errors: ErrRequestNotFound.
func (s *Service) RequestByAccess(ctx context.Context, access string) (Request, error) {
	id, ok := s.accessID(access)
	if !ok {
		return Request{}, ErrRequestNotFound
	}
	return s.Request(ctx, id, Viewer{Resident: true})
}

func (s *Service) accessID(access string) (int64, bool) {
	raw, _, _ := strings.Cut(access, "-")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || !hmac.Equal([]byte(s.Access(id)), []byte(access)) {
		return 0, false
	}
	return id, true
}

func fieldErr(field, reason string) error { return fields.New(ErrInvalid, field, reason) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
