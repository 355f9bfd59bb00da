package org

import (
	"errors"
	"fmt"

	"github.com/lib/pq"

	"timebank/fields"
)

// Errors of the registry. The web layer maps each to one problem type.
var (
	// ErrInvalid means a request is malformed or breaks a rule of the registry; it is wrapped by a
	// *fields.Error naming each wrong field.
	ErrInvalid = errors.New("org: invalid request")
	// ErrRegionNotFound means no region has that code (or the code is not a division code at all).
	ErrRegionNotFound = errors.New("org: region not found")
	// ErrRegionExists means a region with that code was created before.
	ErrRegionExists = errors.New("org: region already exists")
	// ErrParentMissing means the region directly above a new region has not been created yet: the
	// tree is built from the province down.
	ErrParentMissing = errors.New("org: parent region does not exist")
	// ErrOrgNotFound means no organization has that id.
	ErrOrgNotFound = errors.New("org: organization not found")
	// ErrStoreNotFound means no store has that id.
	ErrStoreNotFound = errors.New("org: store not found")
	// ErrCreditCodeTaken means another organization is registered with the same credit code.
	ErrCreditCodeTaken = errors.New("org: credit code already registered")
)

// The reasons a field of the registry is refused, as the keys of its *fields.Error:
//
//	required                 the field is empty
//	too_long                 the text is longer than the field allows
//	format                   the text holds control characters or invalid UTF-8
//	unknown                  status is neither "registered" nor "filed"
//	division_code            not a 6- or 12-digit administrative division code
//	credit_code_format       not 18 characters of the credit-code alphabet
//	credit_code_checksum     a check character does not match (a typing mistake)
//	not_allowed              a credit code for a filed organization, or a filing street for a registered one
//	not_street               the filing region is not a street or township (level 4)
//	region_outside_street    the organization's region is not within its filing street
//	region_outside_parent    a sub-organization's region is not within its parent's region
//	not_found                the region or parent organization named does not exist

// invalid refuses a request for one field.
func invalid(field, reason string) error { return fields.New(ErrInvalid, field, reason) }

// checkFields names the request field behind each CHECK constraint the Go validation repeats, so
// that a constraint the Go code missed still names its field.
var checkFields = map[string]string{
	"regions_code_format":              "code",
	"regions_name":                     "name",
	"organizations_name":               "name",
	"organizations_credit_code_format": "credit_code",
	"stores_name":                      "name",
	"stores_address":                   "address",
}

// dbError turns the constraint violations of the registry's tables into its errors, by constraint
// name.
func dbError(err error) error {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Constraint {
	case "regions_pkey":
		return ErrRegionExists
	case "regions_parent_code_fkey":
		return ErrParentMissing
	case "organizations_credit_code_key":
		return ErrCreditCodeTaken
	case "organizations_region_code_fkey":
		return invalid("region_code", "not_found")
	case "organizations_filed_by_fkey":
		return invalid("filed_by", "not_found")
	case "organizations_parent_id_fkey":
		return invalid("parent_id", "not_found")
	case "stores_org_id_fkey":
		return ErrOrgNotFound
	}
	if pe.Code == "23514" { // check_violation
		if f, ok := checkFields[pe.Constraint]; ok {
			return invalid(f, "format")
		}
		return fmt.Errorf("%w: %s", ErrInvalid, pe.Constraint)
	}
	return err
}
