package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"timebank/ledger"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// accountSlots is how many balance rows the issuing and store accounts are split into. Every earning
// at an organization debits its issuing account and every redemption at a store credits the store's:
// they are the ledger's hot accounts, and one row per account would serialize every posting at the
// organization on its row lock.
const accountSlots = 16

// CreateOrg creates an organization and opens its issuing account in the ledger (org:<id>:issued, an
// issuer that may go negative), in one transaction with its audit entry: either all three exist or
// none does.
// Errors: ErrInvalid (*fields.Error: also when the region, filing street or parent does not
// exist, or the parent's region does not contain the organization's), ErrCreditCodeTaken.
func (r *Registry) CreateOrg(ctx context.Context, actor *principal.Principal, n NewOrg) (Org, error) {
	if err := n.Validate(); err != nil {
		return Org{}, err
	}
	var o Org
	err := txn.Run(ctx, r.db, func(tx *sqlx.Tx) error {
		if n.ParentID != nil {
			if err := checkParent(ctx, tx, *n.ParentID, n.RegionCode); err != nil {
				return err
			}
		}
		// The id is drawn first so that the account code, which holds it, is written with the row.
		const stmt = `
WITH n AS (SELECT nextval(pg_get_serial_sequence('organizations', 'id')) AS id)
INSERT INTO organizations (id, name, region_code, parent_id, status, credit_code, filed_by, account_code,
                           contact_name)
SELECT n.id, $1, $2, $3, $4, $5, $6, 'org:' || n.id || ':issued', $7 FROM n
RETURNING ` + orgColumns
		err := tx.GetContext(ctx, &o, stmt, n.Name, n.RegionCode, n.ParentID, n.Status,
			nullText(n.CreditCode), nullText(n.FiledBy), n.ContactName)
		if err != nil {
			return dbError(err)
		}
		_, err = r.ledger.CreateAccountTx(ctx, tx, ledger.NewAccount{
			Code: o.AccountCode, Kind: ledger.KindIssuer, AllowNegative: true, Slots: accountSlots,
		})
		if err != nil {
			return fmt.Errorf("org: issuing account: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{
			Actor: actor.Label(), Action: "org.create", Target: ref("org", o.ID),
			RegionCode: o.RegionCode, OrgID: o.ID, After: o,
		})
	})
	if err != nil {
		return Org{}, err
	}
	return o, nil
}

// checkParent checks that the parent organization exists and that its region contains the new
// organization's region.
func checkParent(ctx context.Context, tx *sqlx.Tx, parentID int64, regionCode string) error {
	var parentRegion string
	err := tx.GetContext(ctx, &parentRegion, `SELECT region_code FROM organizations WHERE id = $1`, parentID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return invalid("parent_id", "not_found")
	case err != nil:
		return err
	case !IsWithin(regionCode, parentRegion):
		return invalid("region_code", "region_outside_parent")
	}
	return nil
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
