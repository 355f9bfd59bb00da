package servicedesk

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
	"timebank/pkg/txn"
)

// Desk is a team (organization) serving a community (region node), with the printed code residents
// scan and the promise it makes: every request answered (assigned or taken) within PromiseMinutes.
type Desk struct {
	ID             int64     `db:"id" json:"id"`
	OrgID          int64     `db:"org_id" json:"org_id"`
	OrgName        string    `db:"org_name" json:"org_name"`
	RegionCode     string    `db:"region_code" json:"region_code"`
	CommunityName  string    `db:"community_name" json:"community_name"`
	Name           string    `db:"name" json:"name"`
	PromiseMinutes int       `db:"promise_minutes" json:"promise_minutes"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
}

// NewDesk is a desk to open; PromiseMinutes 0 means the default, 24 hours.
type NewDesk struct {
	OrgID          int64  `json:"org_id"`
	RegionCode     string `json:"region_code"`
	Name           string `json:"name"`
	PromiseMinutes int    `json:"promise_minutes,omitempty"`
}

// DefaultPromiseMinutes is how soon a request is answered when the desk says nothing else.
const DefaultPromiseMinutes = 24 * 60

const deskColumns = `d.id, d.org_id, o.name AS org_name, d.region_code, r.name AS community_name, d.name,
	d.promise_minutes, d.created_at`

const deskFrom = ` FROM service_desks d JOIN organizations o ON o.id = d.org_id JOIN regions r ON r.code = d.region_code`

// CreateDesk opens a desk. Errors: ErrInvalid (also org_id, region_code not_found), ErrDeskExists.
func (s *Service) CreateDesk(ctx context.Context, by *principal.Principal, n NewDesk) (Desk, error) {
	bad := fields.Set{}
	var r string
	if n.Name, r = (fields.Text{Max: 100, Required: true}).Clean(n.Name); r != "" {
		bad["name"] = r
	}
	if n.OrgID <= 0 {
		bad["org_id"] = "required"
	}
	if n.RegionCode == "" {
		bad["region_code"] = "required"
	}
	if n.PromiseMinutes == 0 {
		n.PromiseMinutes = DefaultPromiseMinutes
	}
	if n.PromiseMinutes < 30 || n.PromiseMinutes > 7*24*60 {
		bad["promise_minutes"] = "range"
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return Desk{}, err
	}
	var d Desk
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `INSERT INTO service_desks (org_id, region_code, name, promise_minutes, created_by)
VALUES ($1, $2, $3, $4, $5) RETURNING id`, n.OrgID, n.RegionCode, n.Name, n.PromiseMinutes, by.Label())
		switch {
		case pgerr.ForeignKey(err, "service_desks_org_id_fkey"):
			return fields.New(ErrInvalid, "org_id", "not_found")
		case pgerr.ForeignKey(err, "service_desks_region_code_fkey"):
			return fields.New(ErrInvalid, "region_code", "not_found")
		case pgerr.Unique(err, "service_desks_key"):
			return ErrDeskExists
		case err != nil:
			return err
		}
		if err := tx.GetContext(ctx, &d, `SELECT `+deskColumns+deskFrom+` WHERE d.id = $1`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "service_desk.create",
			Target: "service_desk:" + itoa(id), OrgID: n.OrgID,
			After: map[string]any{"region_code": n.RegionCode, "name": n.Name, "promise_minutes": n.PromiseMinutes}})
	})
	return d, err
}

// Desk returns a desk. Errors: ErrDeskNotFound.
func (s *Service) Desk(ctx context.Context, id int64) (Desk, error) {
	var d Desk
	err := s.db.GetContext(ctx, &d, `SELECT `+deskColumns+deskFrom+` WHERE d.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Desk{}, ErrDeskNotFound
	}
	return d, err
}

// Desks returns the desks of an organization, by community.
func (s *Service) Desks(ctx context.Context, orgID int64) ([]Desk, error) {
	ds := []Desk{}
	err := s.db.SelectContext(ctx, &ds, `SELECT `+deskColumns+deskFrom+` WHERE d.org_id = $1 ORDER BY d.region_code, d.id`, orgID)
	return ds, err
}

// DeskCode is a desk's printed code: the token and the URL it carries.
type DeskCode struct {
	Token string `json:"token"`
	URL   string `json:"url"`
}

// Code returns the desk's printed code. It never expires: it is posted on a wall.
func (s *Service) Code(d Desk) (DeskCode, error) {
	token, err := s.signer.Sign(qr.Claims{Type: qr.ServiceDesk, Subject: d.ID})
	if err != nil {
		return DeskCode{}, err
	}
	return DeskCode{Token: token, URL: qr.URL(s.baseURL, token)}, nil
}

// DeskByCode returns the desk a scanned code names.
// Errors: the qr package's (malformed, bad signature, wrong type), ErrDeskNotFound.
func (s *Service) DeskByCode(ctx context.Context, token string) (Desk, error) {
	c, err := s.signer.Verify(qr.FromScan(token), qr.ServiceDesk, s.now())
	if err != nil {
		return Desk{}, err
	}
	return s.Desk(ctx, c.Subject)
}
