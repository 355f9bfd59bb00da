package org

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/fields"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// Region is a node of the five-level region tree, keyed by its 12-digit division code. Its level
// and parent follow from the code.
type Region struct {
	Code       string    `db:"code" json:"code"`
	Name       string    `db:"name" json:"name"`
	Level      Level     `db:"level" json:"level"`
	ParentCode string    `db:"parent_code" json:"parent_code,omitempty"` // "" for a province
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
}

const regionColumns = `code, name, level, coalesce(parent_code, '') AS parent_code, created_at`

// NewRegion is a request to add a node to the region tree. Code may be 6 digits (county and above,
// as GB/T 2260 prints them) or 12 (the statistics bureau's codes, down to the community).
type NewRegion struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Validate checks the request and brings the code to 12 digits and the name to its trimmed form.
// Errors: ErrInvalid (*fields.Error).
func (n *NewRegion) Validate() error {
	bad := fields.Set{}
	if code, _, ok := normalizeCode(n.Code); ok {
		n.Code = code
	} else if n.Code == "" {
		bad["code"] = "required"
	} else {
		bad["code"] = "division_code"
	}
	var reason string
	if n.Name, reason = (fields.Text{Max: 100, Required: true}).Clean(n.Name); reason != "" {
		bad["name"] = reason
	}
	return bad.Err(ErrInvalid)
}

// CreateRegion adds a node to the region tree. Its level and parent come from the code; the parent
// must exist already, except for a province.
// Errors: ErrInvalid (*fields.Error), ErrRegionExists, ErrParentMissing.
func (r *Registry) CreateRegion(ctx context.Context, actor *principal.Principal, n NewRegion) (Region, error) {
	var reg Region
	err := txn.Run(ctx, r.db, func(tx *sqlx.Tx) error {
		var err error
		reg, err = r.CreateRegionTx(ctx, tx, actor, n)
		return err
	})
	return reg, err
}

// CreateRegionTx is CreateRegion inside the caller's transaction, so that an import adds a whole
// branch of the tree, or nothing. A refused region aborts the transaction.
// Errors: ErrInvalid (*fields.Error), ErrRegionExists, ErrParentMissing.
func (r *Registry) CreateRegionTx(ctx context.Context, tx *sqlx.Tx, actor *principal.Principal, n NewRegion) (Region, error) {
	if err := n.Validate(); err != nil {
		return Region{}, err
	}
	level, _ := DivisionLevel(n.Code)
	var parent *string
	if p, err := ParentDivision(n.Code); err == nil {
		parent = &p
	}
	var reg Region
	err := tx.GetContext(ctx, &reg, `
INSERT INTO regions (code, name, level, parent_code) VALUES ($1, $2, $3, $4)
RETURNING `+regionColumns, n.Code, n.Name, level, parent)
	if err != nil {
		return Region{}, dbError(err)
	}
	err = audit.Record(ctx, tx, audit.Entry{
		Actor: actor.Label(), Action: "region.create", Target: "region:" + reg.Code,
		RegionCode: reg.Code, After: reg,
	})
	return reg, err
}

// Region returns the region with the code (6 or 12 digits).
// Errors: ErrRegionNotFound.
func (r *Registry) Region(ctx context.Context, code string) (Region, error) {
	c, _, ok := normalizeCode(code)
	if !ok {
		return Region{}, ErrRegionNotFound
	}
	var reg Region
	err := r.db.GetContext(ctx, &reg, `SELECT `+regionColumns+` FROM regions WHERE code = $1`, c)
	if errors.Is(err, sql.ErrNoRows) {
		return Region{}, ErrRegionNotFound
	}
	return reg, err
}

// Children returns the regions directly below the node, by code; with code "" it returns the
// provinces.
// Errors: ErrRegionNotFound.
func (r *Registry) Children(ctx context.Context, code string) ([]Region, error) {
	var out []Region
	if code == "" {
		err := r.db.SelectContext(ctx, &out,
			`SELECT `+regionColumns+` FROM regions WHERE parent_code IS NULL ORDER BY code`)
		return out, err
	}
	c, _, ok := normalizeCode(code)
	if !ok {
		return nil, ErrRegionNotFound
	}
	err := r.db.SelectContext(ctx, &out,
		`SELECT `+regionColumns+` FROM regions WHERE parent_code = $1 ORDER BY code`, c)
	if err == nil && len(out) == 0 {
		// A leaf and a missing node both have no children; only the second is an error.
		_, err = r.Region(ctx, c)
	}
	return out, err
}

// Path returns the chain of regions from the province down to the node itself, for breadcrumbs.
// Errors: ErrRegionNotFound.
func (r *Registry) Path(ctx context.Context, code string) ([]Region, error) {
	c, _, ok := normalizeCode(code)
	if !ok {
		return nil, ErrRegionNotFound
	}
	chain := []string{c}
	for p, err := ParentDivision(c); err == nil; p, err = ParentDivision(p) {
		chain = append(chain, p)
	}
	var out []Region
	err := r.db.SelectContext(ctx, &out,
		`SELECT `+regionColumns+` FROM regions WHERE code = ANY($1) ORDER BY level`, pq.StringArray(chain))
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(out, func(reg Region) bool { return reg.Code == c }) {
		return nil, ErrRegionNotFound
	}
	return out, nil
}
