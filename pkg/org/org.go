package org

import (
	"errors"
	"time"

	"timebank/fields"
)

// Status says how an organization is known to the authorities.
type Status string

// The two statuses of an organization.
const (
	// Registered (登记) organizations are registered with civil affairs and hold a unified social
	// credit code.
	Registered Status = "registered"
	// Filed (备案) organizations are community social organizations filed with their street or
	// township, which vouches for them; they have no credit code.
	Filed Status = "filed"
)

// Org is a social organization: it runs activities, vouches for its volunteers' hours through its
// issuing account in the ledger, and may run stores.
type Org struct {
	ID          int64     `db:"id" json:"id"`
	Name        string    `db:"name" json:"name"`
	RegionCode  string    `db:"region_code" json:"region_code"`
	ParentID    *int64    `db:"parent_id" json:"parent_id,omitempty"`
	Status      Status    `db:"status" json:"status"`
	CreditCode  string    `db:"credit_code" json:"credit_code,omitempty"` // registered only
	FiledBy     string    `db:"filed_by" json:"filed_by,omitempty"`       // filed only: the street's code
	AccountCode string    `db:"account_code" json:"account"`              // org:<id>:issued
	ContactName string    `db:"contact_name" json:"contact_name,omitempty"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

const orgColumns = `id, name, region_code, parent_id, status, coalesce(credit_code, '') AS credit_code,
	coalesce(filed_by, '') AS filed_by, account_code, contact_name, created_at`

// NewOrg is a request to create an organization. A registered organization gives its credit code;
// a filed one gives the street or township it is filed with, which must contain its region. A
// sub-organization names its parent and lies in the parent's region or below.
type NewOrg struct {
	Name        string `json:"name"`
	RegionCode  string `json:"region_code"`
	ParentID    *int64 `json:"parent_id,omitempty"`
	Status      Status `json:"status"`
	CreditCode  string `json:"credit_code,omitempty"`
	FiledBy     string `json:"filed_by,omitempty"`
	ContactName string `json:"contact_name,omitempty"`
}

// Validate checks what can be checked without the database, and brings codes and names to their
// stored forms (12-digit division codes, upper-case credit code, trimmed text). That the regions
// and the parent exist, and that the parent's region contains this one, is checked by CreateOrg.
// Errors: ErrInvalid (*fields.Error).
func (n *NewOrg) Validate() error {
	bad := fields.Set{}
	var reason string
	if n.Name, reason = (fields.Text{Max: 100, Required: true}).Clean(n.Name); reason != "" {
		bad["name"] = reason
	}
	if n.ContactName, reason = (fields.Text{Max: 50}).Clean(n.ContactName); reason != "" {
		bad["contact_name"] = reason
	}
	regionOK := false
	if code, _, ok := normalizeCode(n.RegionCode); ok {
		n.RegionCode, regionOK = code, true
	} else if n.RegionCode == "" {
		bad["region_code"] = "required"
	} else {
		bad["region_code"] = "division_code"
	}
	if n.ParentID != nil && *n.ParentID <= 0 {
		bad["parent_id"] = "not_found"
	}
	switch n.Status {
	case Registered:
		if n.FiledBy != "" {
			bad["filed_by"] = "not_allowed"
		}
		code, err := ValidateUSCC(n.CreditCode)
		switch {
		case n.CreditCode == "":
			bad["credit_code"] = "required"
		case errors.Is(err, ErrUSCCChecksum):
			bad["credit_code"] = "credit_code_checksum"
		case err != nil:
			bad["credit_code"] = "credit_code_format"
		default:
			n.CreditCode = code
		}
	case Filed:
		if n.CreditCode != "" {
			bad["credit_code"] = "not_allowed"
		}
		street, level, ok := normalizeCode(n.FiledBy)
		switch {
		case n.FiledBy == "":
			bad["filed_by"] = "required"
		case !ok:
			bad["filed_by"] = "division_code"
		case level != Street:
			bad["filed_by"] = "not_street"
		case regionOK && !IsWithin(n.RegionCode, street):
			bad["filed_by"] = "region_outside_street"
		default:
			n.FiledBy = street
		}
	case "":
		bad["status"] = "required"
	default:
		bad["status"] = "unknown"
	}
	return bad.Err(ErrInvalid)
}
