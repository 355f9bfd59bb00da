package access

// Action is something a caller may be allowed to do. Each is allowed to a fixed set of roles; the
// scope of the grant decides where.
type Action string

// The actions of people and organizations (regions, organizations, stores, members, devices, audit).
const (
	ManageRegions Action = "region.manage" // create region nodes below one's own
	ReadRegion    Action = "region.read"   // see a region node and the organizations below it
	CreateOrg     Action = "org.create"    // create an organization (or a sub-organization)
	ReadOrg       Action = "org.read"      // see an organization, its members and stores
	ManageMembers Action = "org.members"   // grant and revoke roles in an organization or store
	CreateStore   Action = "store.create"  // open a store for an organization
	ManageDevices Action = "device.manage" // create and revoke kiosk and counter device tokens
	ReadAudit     Action = "audit.read"    // read the audit log
	// ResetPasswords is issuing a one-time password reset code to a member who has been checked in
	// person; the member's other roles limit it further (see identity.MayReset).
	ResetPasswords Action = "org.reset_password"
	OperateLedger  Action = "ledger.operate"
	// ManageRules is keeping the platform's rules as data: the calendar of public holidays and the
	// platform's default credit policy.
	ManageRules Action = "rules.manage"
)

// The actions of earning hours (activities, check-in codes, verification).
const (
	ManageActivities Action = "activity.manage" // create and change activities
	ReadActivities   Action = "activity.read"   // see activities, attendances and records of an organization
	RunKiosk         Action = "activity.kiosk"  // show check-in codes and scan member codes at the site
	VerifyHours      Action = "activity.verify" // approve, adjust or reject attendances; amend records
)

// The actions of the charity supermarket.
const (
	ManageCatalog Action = "store.catalog"   // items, prices, limits
	ManageStock   Action = "store.stock"     // lots, write-offs, counts
	ReceiveGoods  Action = "store.donations" // record donations and print acknowledgements
	ServeCounter  Action = "store.counter"   // scan codes, hand out orders, walk-in sales
	ReadStore     Action = "store.read"      // stock, orders and day reports
	// AllocateAid is registering households in hardship (低保, 特困, 边缘户) and giving them goods
	// without credits. Their status is sensitive (PIPL), so only those who decide on it may see it:
	// not the counter's clerks or devices, and not auditors.
	AllocateAid Action = "store.aid"
)

// The actions of certificates of volunteer service (志愿服务记录证明). "谁记录谁证明": only the
// organization that recorded the service certifies it, so issuing is its coordinators' and
// administrators' (a region checks certificates, it does not issue them); the civil-affairs side
// (region administrators, auditors) reads the register to spot-check it.
const (
	IssueCertificates Action = "certificate.issue" // accept, refuse, issue and revoke; set the seal
	ReadCertificates  Action = "certificate.read"  // the requests and the register of certificates
)

// The action of reports: the figures of a region, an organization or a store (hours, credits, goods,
// people helped). A region's staff read their region and everything below it; an organization's
// coordinators and administrators read their organization and its stores; a store's manager reads
// the store. Clerks and devices serve the counter and read no figures.
const (
	ReadReports Action = "report.read"
)

// The actions of services to residents (幸福管家): a team's coordinators open its desks, dispatch
// its requests, confirm a service for a resident (as a grid worker does) and moderate comments; its
// volunteers take and do its requests. A community's grid workers (网格员) act for its residents
// whatever team serves them: they ask for a service on a resident's behalf and confirm one done,
// at the community's place (servicedesk.MayActFor joins the two).
const (
	DispatchServices Action = "service.dispatch"
	DoServices       Action = "service.do"
	ActForResidents  Action = "service.behalf"
)

// The actions of care for residents (三色 board, 结对 pairing). Reading the board and the registry
// shows people masked; seeing a person unmasked is decided by pkg/care (the roles of the person's
// community and the volunteers paired with them), on top of these. A grid worker reads the board
// of their communities, masked, to ask for a registry person's service.
const (
	ReadCare   Action = "care.read"   // the care board and the registry, masked; the visit rate
	ManageCare Action = "care.manage" // register people, change colours, pair, set frequencies, decide proposals
)

// permissions lists the roles allowed each action. A region admin acts on everything below its
// node and a platform admin everywhere; an auditor reads what its scope holds.
var permissions = map[Action][]Role{
	ManageRegions:  {RegionAdmin, PlatformAdmin},
	ReadRegion:     {RegionAdmin, Auditor, PlatformAdmin},
	CreateOrg:      {OrgAdmin, RegionAdmin, PlatformAdmin},
	ReadOrg:        {Coordinator, OrgAdmin, Auditor, RegionAdmin, PlatformAdmin},
	ManageMembers:  {OrgAdmin, RegionAdmin, PlatformAdmin},
	ResetPasswords: {Coordinator, OrgAdmin, RegionAdmin, PlatformAdmin},
	CreateStore:    {OrgAdmin, RegionAdmin, PlatformAdmin},
	ManageDevices:  {OrgAdmin, StoreManager, RegionAdmin, PlatformAdmin},
	ReadAudit:      {OrgAdmin, StoreManager, Auditor, RegionAdmin, PlatformAdmin},
	OperateLedger:  {PlatformAdmin},
	ManageRules:    {PlatformAdmin},

	DispatchServices: {Coordinator, OrgAdmin, RegionAdmin, PlatformAdmin},
	DoServices:       {Volunteer, Coordinator, OrgAdmin, PlatformAdmin},
	ActForResidents:  {GridWorker, RegionAdmin, PlatformAdmin},

	ManageActivities: {Coordinator, OrgAdmin, RegionAdmin, PlatformAdmin},
	ReadActivities:   {Coordinator, OrgAdmin, Auditor, RegionAdmin, PlatformAdmin},
	RunKiosk:         {Kiosk, Coordinator, OrgAdmin, RegionAdmin, PlatformAdmin},
	VerifyHours:      {Coordinator, OrgAdmin, RegionAdmin, PlatformAdmin},

	ManageCatalog: {StoreManager, OrgAdmin, RegionAdmin, PlatformAdmin},
	ManageStock:   {StoreManager, OrgAdmin, RegionAdmin, PlatformAdmin},
	ReceiveGoods:  {Clerk, Counter, StoreManager, OrgAdmin, RegionAdmin, PlatformAdmin},
	ServeCounter:  {Clerk, Counter, StoreManager, OrgAdmin, RegionAdmin, PlatformAdmin},
	ReadStore:     {Clerk, Counter, StoreManager, OrgAdmin, Auditor, RegionAdmin, PlatformAdmin},
	AllocateAid:   {StoreManager, OrgAdmin, RegionAdmin, PlatformAdmin},

	IssueCertificates: {Coordinator, OrgAdmin, PlatformAdmin},
	ReadCertificates:  {Coordinator, OrgAdmin, Auditor, RegionAdmin, PlatformAdmin},

	ReadReports: {Coordinator, OrgAdmin, StoreManager, Auditor, RegionAdmin, PlatformAdmin},

	ReadCare:   {Coordinator, OrgAdmin, Auditor, GridWorker, RegionAdmin, PlatformAdmin},
	ManageCare: {Coordinator, OrgAdmin, RegionAdmin, PlatformAdmin},
}

// Actions returns every action, for tests and documentation.
func Actions() []Action {
	out := make([]Action, 0, len(permissions))
	for a := range permissions {
		out = append(out, a)
	}
	return out
}

// Roles returns the roles allowed the action.
func (a Action) Roles() []Role { return permissions[a] }
