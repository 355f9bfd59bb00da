package api

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/app"
	"timebank/web/guard"
	"timebank/web/i18n"
)

// Routes registers every route of the JSON API under /api/v1 with its rule: who may call it. This
// is the one list of them; the handlers are in the files beside it, one per resource.
func Routes(r *guard.Router, d *app.Services, msgs i18n.Messages, log *slog.Logger) {
	s := newServer(r, d, msgs, log)
	s.handle(fiber.MethodGet, "/api/v1/openapi.json", guard.Public(), s.openapi)

	// The raw ledger API, for integrations and operators: platform administrators only. The rest of the
	// service posts through the domain packages.
	op := guard.Allow(access.OperateLedger, nil)
	s.handle(fiber.MethodPost, "/api/v1/accounts", op, s.createAccount)
	s.handle(fiber.MethodGet, "/api/v1/accounts/:code", op, s.getAccount)
	s.handle(fiber.MethodGet, "/api/v1/accounts/:code/balance", op, s.getBalance)
	s.handle(fiber.MethodGet, "/api/v1/accounts/:code/entries", op, s.listEntries)
	s.handle(fiber.MethodPost, "/api/v1/transactions", op, s.postTransaction)
	s.handle(fiber.MethodGet, "/api/v1/transactions/:id", op, s.getTransaction)
	s.handle(fiber.MethodPost, "/api/v1/transactions/:id/reverse", op, s.reverseTransaction)
	s.handle(fiber.MethodPost, "/api/v1/holds", op, s.createHold)
	s.handle(fiber.MethodGet, "/api/v1/holds/:id", op, s.getHold)
	s.handle(fiber.MethodPost, "/api/v1/holds/:id/commit", op, s.commitHold)
	s.handle(fiber.MethodPost, "/api/v1/holds/:id/void", op, s.voidHold)

	// People and sessions.
	s.handle(fiber.MethodPost, "/api/v1/register/code", guard.Public(), s.registrationCode)
	s.handle(fiber.MethodPost, "/api/v1/register", guard.Public(), s.register)
	s.handle(fiber.MethodPost, "/api/v1/password-resets", guard.Public(), s.requestReset)
	s.handle(fiber.MethodPost, "/api/v1/password-resets/confirm", guard.Public(), s.confirmReset)
	s.handle(fiber.MethodPost, "/api/v1/login", guard.Public(), s.login)
	s.handle(fiber.MethodPost, "/api/v1/logout", guard.Public(), s.logout)
	s.handle(fiber.MethodGet, "/api/v1/me", guard.SignedIn(), s.me)
	s.handle(fiber.MethodPost, "/api/v1/me/password", guard.SignedIn(), s.changePassword)
	s.handle(fiber.MethodPost, "/api/v1/me/lang", guard.SignedIn(), s.setLang)

	// Regions, organizations, stores, members, device tokens and the audit log. Creating something below a
	// place needs the action at that place: the handlers check the place named in the body.
	s.handle(fiber.MethodPost, "/api/v1/regions", guard.Allow(access.ManageRegions, nil), s.createRegion)
	s.handle(fiber.MethodGet, "/api/v1/regions/:code", guard.Allow(access.ReadRegion, s.targets.Region), s.getRegion)
	// The roles held at a region node: its managers list, grant and revoke them.
	s.handle(fiber.MethodGet, "/api/v1/regions/:code/admins", guard.Allow(access.ManageRegions, s.targets.Region), s.listRegionGrants)
	s.handle(fiber.MethodPost, "/api/v1/regions/:code/admins", guard.Allow(access.ManageRegions, s.targets.Region), s.grantRegionRole)
	s.handle(fiber.MethodPost, "/api/v1/regions/:code/admins/:grant/revoke", guard.Allow(access.ManageRegions, s.targets.Region), s.revokeRegionGrant)
	s.handle(fiber.MethodPost, "/api/v1/orgs", guard.Allow(access.CreateOrg, nil), s.createOrg)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id", guard.Allow(access.ReadOrg, s.targets.Org), s.getOrg)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/members", guard.Allow(access.ReadOrg, s.targets.Org), s.listMembers)
	s.handle(fiber.MethodPost, "/api/v1/orgs/:id/members", guard.Allow(access.ManageMembers, s.targets.Org), s.addMember)
	s.handle(fiber.MethodPost, "/api/v1/orgs/:id/members/:user/password-reset", guard.Allow(access.ResetPasswords, s.targets.Org), s.issueReset)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/devices", guard.Allow(access.ManageDevices, s.targets.Org), s.listDevices)
	s.handle(fiber.MethodPost, "/api/v1/orgs/:id/imports", guard.Allow(access.ManageMembers, s.targets.Org), s.importRoster)
	s.handle(fiber.MethodPost, "/api/v1/grants/:id/revoke", guard.Allow(access.ManageMembers, nil), s.revokeGrant)
	s.handle(fiber.MethodPost, "/api/v1/stores", guard.Allow(access.CreateStore, nil), s.createStore)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id", guard.Allow(access.ReadStore, s.targets.Store), s.getStore)
	s.handle(fiber.MethodPost, "/api/v1/device-tokens", guard.Allow(access.ManageDevices, nil), s.createDevice)
	s.handle(fiber.MethodPost, "/api/v1/device-tokens/:id/revoke", guard.Allow(access.ManageDevices, nil), s.revokeDevice)
	s.handle(fiber.MethodGet, "/api/v1/audit", guard.Allow(access.ReadAudit, nil), s.listAudit)

	// The signed-in person's live balance: a stream of Server-Sent Events, and a plain read that the page
	// polls when the stream cannot be kept open.
	s.handle(fiber.MethodGet, "/api/v1/me/balance", guard.SignedIn(), s.myBalance)
	s.handle(fiber.MethodGet, "/api/v1/me/balance/events", guard.SignedIn(), s.balanceEvents)

	// The signed-in person's notices: their own inbox only (the service reads and marks the caller's),
	// and the live unread count for the badge every page shows.
	s.handle(fiber.MethodGet, "/api/v1/me/notifications", guard.SignedIn(), s.myNotifications)
	s.handle(fiber.MethodPost, "/api/v1/me/notifications/read", guard.SignedIn(), s.readNotifications)
	s.handle(fiber.MethodGet, "/api/v1/me/notifications/events", guard.SignedIn(), s.noticeEvents)

	// Earning hours: activities, sign-ups, check-in codes and scans, attendances, verification, service
	// records, disputes and transfers. Routes about an activity, a record or a dispute act at the
	// organization that runs it; a volunteer's own things need only a signed-in person, and the service
	// checks they are theirs.
	own := guard.SignedIn()
	s.handle(fiber.MethodGet, "/api/v1/activity-categories", guard.Public(), s.listCategories)
	s.handle(fiber.MethodPost, "/api/v1/activities", guard.Allow(access.ManageActivities, nil), s.createActivities)
	s.handle(fiber.MethodGet, "/api/v1/activities", own, s.listActivities)
	s.handle(fiber.MethodGet, "/api/v1/activities/:id", own, s.getActivity)
	s.handle(fiber.MethodPut, "/api/v1/activities/:id", guard.Allow(access.ManageActivities, s.targets.Activity), s.updateActivity)
	s.handle(fiber.MethodPost, "/api/v1/activities/:id/cancel", guard.Allow(access.ManageActivities, s.targets.Activity), s.cancelActivity)
	s.handle(fiber.MethodPost, "/api/v1/activities/:id/signups", own, s.signUp)
	s.handle(fiber.MethodDelete, "/api/v1/activities/:id/signups", own, s.cancelSignup)
	s.handle(fiber.MethodGet, "/api/v1/activities/:id/code", guard.Allow(access.RunKiosk, s.targets.Activity), s.kioskCode)
	s.handle(fiber.MethodPost, "/api/v1/activities/:id/scans", guard.Allow(access.RunKiosk, s.targets.Activity), s.scanMember)
	s.handle(fiber.MethodGet, "/api/v1/activities/:id/attendances", guard.Allow(access.ReadActivities, s.targets.Activity), s.listAttendances)
	s.handle(fiber.MethodPost, "/api/v1/activities/:id/manual-hours", guard.Allow(access.VerifyHours, s.targets.Activity), s.addManualHours)
	s.handle(fiber.MethodPost, "/api/v1/attendances/verify", guard.Allow(access.VerifyHours, nil), s.verifyAttendances)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/pending-activities", guard.Allow(access.ReadActivities, s.targets.Org), s.pendingActivities)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/activity-policy", guard.Allow(access.ReadActivities, s.targets.Org), s.getPolicy)
	// The policy sets the credit ratio, so it is the organization's administrators' to change.
	s.handle(fiber.MethodPut, "/api/v1/orgs/:id/activity-policy", guard.Allow(access.ManageMembers, s.targets.Org), s.setPolicy)
	s.handle(fiber.MethodPost, "/api/v1/scans", own, s.scanKiosk)
	s.handle(fiber.MethodGet, "/api/v1/me/code", own, s.memberCode)
	s.handle(fiber.MethodGet, "/api/v1/me/records", own, s.myRecords)
	s.handle(fiber.MethodGet, "/api/v1/me/records.csv", own, s.myRecordsCSV)
	s.handle(fiber.MethodGet, "/api/v1/me/records.xlsx", own, s.myRecordsXLSX)
	s.handle(fiber.MethodGet, "/api/v1/me/signups", own, s.mySignups)
	s.handle(fiber.MethodGet, "/api/v1/me/family", own, s.myFamily)
	s.handle(fiber.MethodGet, "/api/v1/records/:id", own, s.getRecord)
	s.handle(fiber.MethodPost, "/api/v1/records/:id/disputes", own, s.disputeRecord)
	s.handle(fiber.MethodPost, "/api/v1/records/:id/amendments", guard.Allow(access.VerifyHours, s.targets.Record), s.amendRecord)
	s.handle(fiber.MethodPost, "/api/v1/disputes/:id/dismiss", guard.Allow(access.VerifyHours, s.disputeParam), s.dismissDispute)
	s.handle(fiber.MethodPost, "/api/v1/transfers", own, s.transfer)

	// Rules kept as data: the calendar of public holidays (anyone signed in reads it; a platform
	// administrator enters each year), and the credit policies of the platform, a region and an
	// organization, read and set with the rules of their place (an organization's as its activity
	// policy, which sets its credit ratio).
	s.handle(fiber.MethodGet, "/api/v1/holidays/:year", own, s.getHolidays)
	s.handle(fiber.MethodPut, "/api/v1/holidays/:year", guard.Allow(access.ManageRules, nil), s.setHolidays)
	s.handle(fiber.MethodGet, "/api/v1/credit-policy", own, s.getCreditPolicy)
	s.handle(fiber.MethodPut, "/api/v1/credit-policy", guard.Allow(access.ManageRules, nil), s.setCreditPolicy)
	s.handle(fiber.MethodGet, "/api/v1/regions/:code/credit-policy", guard.Allow(access.ReadRegion, s.targets.Region), s.getCreditPolicy)
	s.handle(fiber.MethodPut, "/api/v1/regions/:code/credit-policy", guard.Allow(access.ManageRegions, s.targets.Region), s.setCreditPolicy)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/credit-policy", guard.Allow(access.ReadActivities, s.targets.Org), s.getCreditPolicy)
	s.handle(fiber.MethodPut, "/api/v1/orgs/:id/credit-policy", guard.Allow(access.ManageMembers, s.targets.Org), s.setCreditPolicy)

	// The charity supermarket: items, stock, donations, orders, the counter and walk-in sales. Routes
	// about a store in the path act at that store; orders, the counter and sales name their store in the
	// body or through the order, and the handlers check it.
	at := func(a access.Action) guard.Rule { return guard.Allow(a, s.targets.Store) }
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/catalog", guard.Public(), s.storeCatalog)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/items", at(access.ReadStore), s.listItems)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/items", at(access.ManageCatalog), s.createItem)
	s.handle(fiber.MethodPut, "/api/v1/stores/:id/items/:item", at(access.ManageCatalog), s.updateItem)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/items/:item/photo", guard.Public(), s.getItemPhoto)
	s.handle(fiber.MethodPut, "/api/v1/stores/:id/items/:item/photo", at(access.ManageCatalog), s.putItemPhoto)
	s.handle(fiber.MethodDelete, "/api/v1/stores/:id/items/:item/photo", at(access.ManageCatalog), s.deleteItemPhoto)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/policy", at(access.ReadStore), s.getStorePolicy)
	s.handle(fiber.MethodPut, "/api/v1/stores/:id/policy", at(access.ManageCatalog), s.setStorePolicy)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/stock", at(access.ReadStore), s.getStock)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/warnings", at(access.ReadStore), s.getWarnings)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/journal", at(access.ReadStore), s.getJournal)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/report", at(access.ReadStore), s.getDayReport)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/orders", at(access.ReadStore), s.listStoreOrders)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/donations", at(access.ReceiveGoods), s.recordDonation)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/donations/:donation", at(access.ReadStore), s.getDonation)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/writeoffs", at(access.ManageStock), s.writeOff)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/writeoffs/expired", at(access.ManageStock), s.writeOffExpired)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/counts", at(access.ManageStock), s.countStock)

	s.handle(fiber.MethodPost, "/api/v1/orders", guard.SignedIn(), s.placeOrder)
	s.handle(fiber.MethodGet, "/api/v1/orders", guard.SignedIn(), s.myOrders)
	s.handle(fiber.MethodGet, "/api/v1/orders/:id", guard.SignedIn(), s.getOrder)
	s.handle(fiber.MethodPost, "/api/v1/orders/:id/cancel", guard.SignedIn(), s.cancelOrder)
	s.handle(fiber.MethodPost, "/api/v1/orders/:id/fulfil", guard.Allow(access.ServeCounter, s.orderStore), s.fulfilOrder)
	s.handle(fiber.MethodPost, "/api/v1/counter/scan", guard.Allow(access.ServeCounter, nil), s.counterScan)
	s.handle(fiber.MethodPost, "/api/v1/sales", guard.Allow(access.ServeCounter, nil), s.sell)

	// Goods for households in hardship: the households and their allocations. A household's status is
	// sensitive (PIPL): only those allowed store.aid at the store may call them (and, as for every route
	// that is not public, no answer is kept by a cache).
	aid := guard.Allow(access.AllocateAid, s.targets.Store)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/households", aid, s.listHouseholds)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/households", aid, s.registerHousehold)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/households/:household/deactivate", aid, s.deactivateHousehold)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/aid", aid, s.listAid)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/aid", aid, s.allocateAid)

	// Certificates of volunteer service: a volunteer asks an organization for one; the organization's
	// coordinators and administrators issue (from the queue or directly), refuse and revoke; the volunteer
	// and the organization's readers read and download it; anyone checks a code, and gets the public keys
	// to check it offline. Routes about a request or a certificate act at the organization it belongs to;
	// reading a certificate is the handler's check (the volunteer's own, or certificate.read there).
	certs := s.targets.Certificates(s.Certificates)
	s.handle(fiber.MethodGet, "/.well-known/timebank-certificates.json", guard.Public(), s.wellKnownCertificates)
	s.handle(fiber.MethodGet, "/api/v1/certificates/verify", guard.Public(), s.verifyCertificate)
	s.handle(fiber.MethodPost, "/api/v1/certificate-requests", own, s.applyCertificate)
	s.handle(fiber.MethodPost, "/api/v1/certificate-requests/:id/issue", guard.Allow(access.IssueCertificates, certs.Request), s.issueCertificateRequest)
	s.handle(fiber.MethodPost, "/api/v1/certificate-requests/:id/refuse", guard.Allow(access.IssueCertificates, certs.Request), s.refuseCertificateRequest)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/certificate-requests", guard.Allow(access.ReadCertificates, s.targets.Org), s.listCertificateRequests)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/certificates", guard.Allow(access.ReadCertificates, s.targets.Org), s.listCertificates)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/certificates.csv", guard.Allow(access.ReadCertificates, s.targets.Org), s.exportCertificates)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/certificates.xlsx", guard.Allow(access.ReadCertificates, s.targets.Org), s.exportCertificates)
	s.handle(fiber.MethodPost, "/api/v1/orgs/:id/certificates", guard.Allow(access.IssueCertificates, s.targets.Org), s.issueCertificate)
	s.handle(fiber.MethodGet, "/api/v1/certificates/:id", own, s.getCertificate)
	s.handle(fiber.MethodGet, "/api/v1/certificates/:id/pdf", own, s.certificatePDF)
	s.handle(fiber.MethodPost, "/api/v1/certificates/:id/revoke", guard.Allow(access.IssueCertificates, certs.Certificate), s.revokeCertificate)
	// 公示: an organization shows a certificate for 7–30 days; anyone reads what it shows.
	s.handle(fiber.MethodPost, "/api/v1/certificates/:id/publish", guard.Allow(access.IssueCertificates, certs.Certificate), s.publishCertificate)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/publicity", guard.Public(), s.listPublicity)

	// Exports, each as .csv and .xlsx, streamed as they are read (exports.go): the caller's own credit
	// statement; an organization's service records (also in the national fields), activities with
	// their attendance and members, read by those who read its activities and members; a store's stock
	// journal, orders, donations and day reports, read by those who read the store. ?from=&to= bound
	// the period.
	for _, ext := range []string{".csv", ".xlsx"} {
		s.handle(fiber.MethodGet, "/api/v1/me/statement"+ext, own, s.exportStatement)
		s.handle(fiber.MethodGet, "/api/v1/orgs/:id/records"+ext, guard.Allow(access.ReadActivities, s.targets.Org), s.exportOrgRecords)
		s.handle(fiber.MethodGet, "/api/v1/orgs/:id/records-national"+ext, guard.Allow(access.ReadActivities, s.targets.Org), s.exportNational)
		s.handle(fiber.MethodGet, "/api/v1/orgs/:id/activities"+ext, guard.Allow(access.ReadActivities, s.targets.Org), s.exportOrgActivities)
		s.handle(fiber.MethodGet, "/api/v1/orgs/:id/members"+ext, guard.Allow(access.ReadOrg, s.targets.Org), s.exportMembers)
		s.handle(fiber.MethodGet, "/api/v1/stores/:id/journal"+ext, at(access.ReadStore), s.exportJournal)
		s.handle(fiber.MethodGet, "/api/v1/stores/:id/orders"+ext, at(access.ReadStore), s.exportStoreOrders)
		s.handle(fiber.MethodGet, "/api/v1/stores/:id/donations"+ext, at(access.ReadStore), s.exportDonations)
		s.handle(fiber.MethodGet, "/api/v1/stores/:id/reports"+ext, at(access.ReadStore), s.exportDayReports)
	}
	// How an export asked with ?progress=<id> goes (rows written, an estimate of the total): the
	// caller's own only.
	s.handle(fiber.MethodGet, "/api/v1/exports/progress/:id", own, s.getExportProgress)

	// 幸福管家, services to residents: a resident asks on a desk's printed code without an account (a
	// one-time SMS code proves the phone; the answer's access key opens, confirms, rates and cancels
	// the request), a team's coordinators dispatch and may confirm or cancel for a resident as grid
	// workers do, its volunteers take and do the requests, and the street reads what nobody answered
	// in time.
	sr := s.targets.ServiceRequests(s.ServiceDesk)
	dispatch := guard.Allow(access.DispatchServices, sr.Request)
	do := guard.Allow(access.DoServices, sr.Request)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/sms-codes", guard.Public(), s.requestServiceCode)
	s.handle(fiber.MethodPost, "/api/v1/service-requests", guard.Public(), s.createServiceRequest)
	s.handle(fiber.MethodGet, "/api/v1/service-requests/access", guard.Public(), s.getServiceRequestByAccess)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/:id/confirm", guard.Public(), s.confirmServiceRequest)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/:id/rate", guard.Public(), s.rateServiceRequest)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/:id/cancel", guard.Public(), s.cancelServiceRequest)
	s.handle(fiber.MethodGet, "/api/v1/me/service-requests", own, s.listMyServiceRequests)
	s.handle(fiber.MethodGet, "/api/v1/service-requests/:id", do, s.getServiceRequest)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/:id/assign", dispatch, s.assignServiceRequest)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/:id/take", do, s.takeServiceRequest)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/:id/accept", do, s.acceptServiceRequest)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/:id/start", do, s.startServiceRequest)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/:id/finish", do, s.finishServiceRequest)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/:id/confirm-codes", do, s.sendConfirmCode)
	s.handle(fiber.MethodPost, "/api/v1/service-requests/:id/moderate", dispatch, s.moderateServiceComment)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/service-requests", guard.Allow(access.DispatchServices, s.targets.Org), s.listOrgServiceRequests)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/service-queue", guard.Allow(access.DispatchServices, s.targets.Org), s.serviceQueue)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/service-desks", guard.Allow(access.DispatchServices, s.targets.Org), s.listServiceDesks)
	s.handle(fiber.MethodPost, "/api/v1/orgs/:id/service-desks", guard.Allow(access.DispatchServices, s.targets.Org), s.createServiceDesk)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/service-ratings", guard.Allow(access.ReadOrg, s.targets.Org), s.serviceStanding)
	s.handle(fiber.MethodGet, "/api/v1/regions/:code/unanswered-service-requests", guard.Allow(access.ReadRegion, s.targets.Region), s.unansweredServiceRequests)

	// Reports: the figures of a region (and everything below it), an organization (and its stores) or
	// a store for a period, as JSON and as an Excel workbook, read from the daily figures only.
	reports := func(t func(*fiber.Ctx) (access.Target, error)) guard.Rule { return guard.Allow(access.ReadReports, t) }
	s.handle(fiber.MethodGet, "/api/v1/regions/:code/summary", reports(s.targets.Region), s.regionSummary)
	s.handle(fiber.MethodGet, "/api/v1/regions/:code/summary.xlsx", reports(s.targets.Region), s.regionSummaryXLSX)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/summary", reports(s.targets.Org), s.orgSummary)
	s.handle(fiber.MethodGet, "/api/v1/orgs/:id/summary.xlsx", reports(s.targets.Org), s.orgSummaryXLSX)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/summary", reports(s.targets.Store), s.storeSummary)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/summary.xlsx", reports(s.targets.Store), s.storeSummaryXLSX)

	// Care for residents: the registry of people who receive care (masked to its readers; a person is
	// unmasked, audited, only for the roles of their community and the volunteers paired with them),
	// the colours and their history, pairings, visits proven by the person's card, the proposals
	// visits raise, the community's board, the frequencies per region and the monthly visit rate.
	// Registering and pairing act where the body's person or region is; the handlers check it.
	ct := s.targets.Care(s.Care)
	readCare := func(t func(*fiber.Ctx) (access.Target, error)) guard.Rule { return guard.Allow(access.ReadCare, t) }
	manageCare := func(t func(*fiber.Ctx) (access.Target, error)) guard.Rule { return guard.Allow(access.ManageCare, t) }
	s.handle(fiber.MethodGet, "/api/v1/care/people", readCare(ct.RegionQuery), s.listCarePeople)
	s.handle(fiber.MethodPost, "/api/v1/care/people", guard.Allow(access.ManageCare, nil), s.registerCarePerson)
	s.handle(fiber.MethodGet, "/api/v1/care/people/:id", own, s.getCarePerson)
	s.handle(fiber.MethodPut, "/api/v1/care/people/:id", manageCare(ct.Person), s.updateCarePerson)
	s.handle(fiber.MethodGet, "/api/v1/care/people/:id/colours", readCare(ct.Person), s.careColours)
	s.handle(fiber.MethodPost, "/api/v1/care/people/:id/colours", manageCare(ct.Person), s.changeCareColour)
	s.handle(fiber.MethodGet, "/api/v1/care/people/:id/visits", readCare(ct.Person), s.careVisitsOf)
	s.handle(fiber.MethodGet, "/api/v1/care/people/:id/pairings", readCare(ct.Person), s.carePairingsOf)
	s.handle(fiber.MethodGet, "/api/v1/care/people/:id/proposals", readCare(ct.Person), s.careProposalsOf)
	s.handle(fiber.MethodGet, "/api/v1/care/people/:id/card", manageCare(ct.Person), s.careCard)
	s.handle(fiber.MethodPost, "/api/v1/care/pairings", guard.Allow(access.ManageCare, nil), s.pairCare)
	s.handle(fiber.MethodPost, "/api/v1/care/pairings/:id/end", manageCare(ct.Pairing), s.endCarePairing)
	s.handle(fiber.MethodGet, "/api/v1/care/visits", own, s.myCareVisits)
	s.handle(fiber.MethodPost, "/api/v1/care/visits", own, s.recordCareVisit)
	s.handle(fiber.MethodPost, "/api/v1/care/proposals/:id/decide", manageCare(ct.Proposal), s.decideCareProposal)
	s.handle(fiber.MethodGet, "/api/v1/communities/:code/care-board", readCare(ct.Region), s.careBoard)
	s.handle(fiber.MethodGet, "/api/v1/regions/:code/care-frequency", readCare(ct.Region), s.getCareFrequency)
	s.handle(fiber.MethodPut, "/api/v1/regions/:code/care-frequency", guard.Allow(access.ManageRegions, s.targets.Region), s.setCareFrequency)
	s.handle(fiber.MethodGet, "/api/v1/regions/:code/care-visit-rate", readCare(ct.Region), s.careVisitRate)
}
