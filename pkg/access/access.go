// Package access decides who may do what, where. A person (or a kiosk screen, or a counter PC)
// holds roles, each at one scope: the whole platform, a region node and everything below it, an
// organization and its sub-organizations, or one store. An action is allowed when one of the
// caller's grants has a role permitted for the action and its scope covers the target.
//
// It is the one mechanism behind every route and page: the web layer names an action and the
// target for each route, and this package answers yes or no. It touches no database.
package access

import (
	"slices"

	"timebank/pkg/org"
	"timebank/pkg/principal"
)

// Role is what a grant lets its holder do.
type Role string

// The roles of people, then of devices.
const (
	Volunteer     Role = "volunteer"      // member of an organization's volunteer team
	Coordinator   Role = "coordinator"    // runs an organization's activities and verifies hours
	Clerk         Role = "clerk"          // serves a store's counter and receives donations
	StoreManager  Role = "store_manager"  // runs a store: catalogue, stock, write-offs, limits
	OrgAdmin      Role = "org_admin"      // runs an organization: members, roles, stores, devices
	Auditor       Role = "auditor"        // reads everything in its scope, changes nothing
	GridWorker    Role = "grid_worker"    // 网格员: acts for the residents of a community or street
	RegionAdmin   Role = "region_admin"   // acts on everything below its region node
	PlatformAdmin Role = "platform_admin" // acts everywhere

	Kiosk   Role = "kiosk"   // a device showing an organization's check-in codes
	Counter Role = "counter" // a device serving one store's counter
)

// PersonRoles are the roles a person can be granted, in the order pages list them.
var PersonRoles = []Role{Volunteer, Coordinator, Clerk, StoreManager, OrgAdmin, Auditor, GridWorker, RegionAdmin, PlatformAdmin}

// DeviceRoles are the roles a device token can carry.
var DeviceRoles = []Role{Kiosk, Counter}

// ScopeKind says what a grant's scope is.
type ScopeKind string

// The kinds of scope.
const (
	Platform ScopeKind = "platform"
	Region   ScopeKind = "region"
	Org      ScopeKind = "org"
	Store    ScopeKind = "store"
)

// ScopeKinds returns the kinds of scope the role may be held at; the database enforces the same.
func (r Role) ScopeKinds() []ScopeKind {
	switch r {
	case PlatformAdmin:
		return []ScopeKind{Platform}
	case RegionAdmin, GridWorker:
		return []ScopeKind{Region}
	case Clerk, StoreManager, Counter:
		return []ScopeKind{Store}
	case Auditor:
		return []ScopeKind{Region, Org, Store}
	case Volunteer, Coordinator, OrgAdmin, Kiosk:
		return []ScopeKind{Org}
	}
	return nil
}

// Valid reports whether r is a role of a person.
func (r Role) Valid() bool { return slices.Contains(PersonRoles, r) }

// Grant is one role held at one scope. Exactly the field of its kind is set.
type Grant struct {
	Role       Role      `json:"role"`
	Kind       ScopeKind `json:"scope"`
	RegionCode string    `json:"region_code,omitempty"`
	OrgID      int64     `json:"org_id,omitempty"`
	StoreID    int64     `json:"store_id,omitempty"`
	Name       string    `json:"scope_name,omitempty"` // the scope's name, for display
}

// Target is where an action happens: the place of the thing acted on in the region and
// organization trees (region code, the organization and its ancestors, the store). Whatever is
// unknown stays zero, and a zero field is covered by nothing but a platform grant. The registry of
// organizations (pkg/org) finds targets; the type is its, so that it needs nothing from here.
type Target = org.Target

// covers reports whether the grant's scope includes the target.
func (g Grant) covers(t Target) bool {
	switch g.Kind {
	case Platform:
		return true
	case Region:
		return t.RegionCode != "" && org.IsWithin(t.RegionCode, g.RegionCode)
	case Org:
		return g.OrgID != 0 && slices.Contains(t.OrgIDs, g.OrgID)
	case Store:
		return g.StoreID != 0 && t.StoreID == g.StoreID
	}
	return false
}

// Principal is who is asking, with the roles they hold: who acts (a person, a device or the
// operator, principal.Principal) as authorization sees them.
type Principal struct {
	principal.Principal
	Grants []Grant `json:"roles"`
}

// Label names the principal as principal.Principal does; "" for nil.
func (p *Principal) Label() string {
	if p == nil {
		return ""
	}
	return p.Principal.Label()
}

// Actor returns who acts, without the roles, for the areas that record it; nil for nil.
func (p *Principal) Actor() *principal.Principal {
	if p == nil {
		return nil
	}
	return &p.Principal
}

// Can reports whether the principal may take the action on the target.
func (p *Principal) Can(a Action, t Target) bool {
	if p == nil {
		return false
	}
	allowed := permissions[a]
	for _, g := range p.Grants {
		if slices.Contains(allowed, g.Role) && g.covers(t) {
			return true
		}
	}
	return false
}

// CanAnywhere reports whether the principal may take the action somewhere: it decides whether a
// page shows a menu entry, never whether a request is allowed.
func (p *Principal) CanAnywhere(a Action) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if slices.Contains(permissions[a], g.Role) {
			return true
		}
	}
	return false
}

// Scopes returns the principal's grants that allow the action, so that a list can be narrowed to
// what the caller may see.
func (p *Principal) Scopes(a Action) []Grant {
	if p == nil {
		return nil
	}
	var out []Grant
	for _, g := range p.Grants {
		if slices.Contains(permissions[a], g.Role) {
			out = append(out, g)
		}
	}
	return out
}

// Has reports whether the principal holds the role at any scope.
func (p *Principal) Has(r Role) bool {
	return p != nil && slices.ContainsFunc(p.Grants, func(g Grant) bool { return g.Role == r })
}
