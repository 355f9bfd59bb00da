package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// Store is a charity supermarket (公益仓) run by an organization. Redeemed credits go to its account
// in the ledger.
type Store struct {
	ID          int64     `db:"id" json:"id"`
	OrgID       int64     `db:"org_id" json:"org_id"`
	Name        string    `db:"name" json:"name"`
	Address     string    `db:"address" json:"address,omitempty"`
	AccountCode string    `db:"account_code" json:"account"` // store:<id>:redeemed
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

const storeColumns = `id, org_id, name, address, account_code, created_at`

// NewStore is a request to open a store for an organization.
type NewStore struct {
	OrgID   int64  `json:"org_id"`
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
}

// Validate checks the request and trims its text.
// Errors: ErrInvalid (*fields.Error).
func (n *NewStore) Validate() error {
	bad := fields.Set{}
	var reason string
	if n.Name, reason = (fields.Text{Max: 100, Required: true}).Clean(n.Name); reason != "" {
		bad["name"] = reason
	}
	if n.Address, reason = (fields.Text{Max: 200}).Clean(n.Address); reason != "" {
		bad["address"] = reason
	}
	if n.OrgID <= 0 {
		bad["org_id"] = "required"
	}
	return bad.Err(ErrInvalid)
}

// CreateStore opens a store and its redemption account in the ledger (store:<id>:redeemed, a store
// account that may go negative), in one transaction with its audit entry.
// Errors: ErrInvalid (*fields.Error), ErrOrgNotFound.
func (r *Registry) CreateStore(ctx context.Context, actor *principal.Principal, n NewStore) (Store, error) {
	if err := n.Validate(); err != nil {
		return Store{}, err
	}
	var s Store
	err := txn.Run(ctx, r.db, func(tx *sqlx.Tx) error {
		var regionCode string
		err := tx.GetContext(ctx, &regionCode, `SELECT region_code FROM organizations WHERE id = $1`, n.OrgID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrOrgNotFound
		} else if err != nil {
			return err
		}
		const stmt = `
WITH n AS (SELECT nextval(pg_get_serial_sequence('stores', 'id')) AS id)
INSERT INTO stores (id, org_id, name, address, account_code)
SELECT n.id, $1, $2, $3, 'store:' || n.id || ':redeemed' FROM n
RETURNING ` + storeColumns
		if err := tx.GetContext(ctx, &s, stmt, n.OrgID, n.Name, n.Address); err != nil {
			return dbError(err)
		}
		_, err = r.ledger.CreateAccountTx(ctx, tx, ledger.NewAccount{
			Code: s.AccountCode, Kind: ledger.KindStore, AllowNegative: true, Slots: accountSlots,
		})
		if err != nil {
			return fmt.Errorf("org: store account: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{
			Actor: actor.Label(), Action: "store.create", Target: ref("store", s.ID),
			RegionCode: regionCode, OrgID: s.OrgID, StoreID: s.ID, After: s,
		})
	})
	if err != nil {
		return Store{}, err
	}
	return s, nil
}

// Store returns the store with the id.
// Errors: ErrStoreNotFound.
func (r *Registry) Store(ctx context.Context, id int64) (Store, error) {
	var s Store
	err := r.db.GetContext(ctx, &s, `SELECT `+storeColumns+` FROM stores WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Store{}, ErrStoreNotFound
	}
	return s, err
}

// StoresOf returns the organization's stores, by id.
// Errors: ErrOrgNotFound.
func (r *Registry) StoresOf(ctx context.Context, orgID int64) ([]Store, error) {
	var out []Store
	err := r.db.SelectContext(ctx, &out,
		`SELECT `+storeColumns+` FROM stores WHERE org_id = $1 ORDER BY id`, orgID)
	if err == nil && len(out) == 0 {
		_, err = r.Org(ctx, orgID)
	}
	return out, err
}
