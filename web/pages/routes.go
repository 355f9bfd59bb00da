package pages

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/app"
	"timebank/web/guard"
	"timebank/web/i18n"
	"timebank/web/problem"
)

// Routes registers every page, form post and static file with its rule: who may call it. This is
// the one list of them; the handlers are in the files beside it, one per page or action. Forms
// post to page routes that call the same domain functions as the JSON API. It returns the error
// page, for the error handler to show a browser.
func Routes(r *guard.Router, d *app.Services, msgs i18n.Messages, log *slog.Logger) func(c *fiber.Ctx, p problem.Problem) error {
	s := newServer(r, d, msgs, log)
	get, post := fiber.MethodGet, fiber.MethodPost

	// Home, people and sessions, and the static files.
	s.handle(fiber.MethodGet, "/static/*", guard.Public(), s.static)
	s.handle(fiber.MethodGet, "/", guard.Public(), s.homePage)
	s.handle(fiber.MethodGet, "/register", guard.Public(), s.registerPage)
	s.handle(fiber.MethodPost, "/register/code", guard.Public(), s.registerCodeSubmit)
	s.handle(fiber.MethodPost, "/register", guard.Public(), s.registerSubmit)
	s.handle(fiber.MethodGet, "/privacy", guard.Public(), s.privacyPage)
	s.handle(fiber.MethodGet, "/password/forgot", guard.Public(), s.forgotPage)
	s.handle(fiber.MethodPost, "/password/forgot", guard.Public(), s.forgotSubmit)
	s.handle(fiber.MethodGet, "/password/reset", guard.Public(), s.resetPage)
	s.handle(fiber.MethodPost, "/password/reset", guard.Public(), s.resetSubmit)
	s.handle(fiber.MethodGet, "/login", guard.Public(), s.loginPage)
	s.handle(fiber.MethodPost, "/login", guard.Public(), s.loginSubmit)
	s.handle(fiber.MethodPost, "/logout", guard.Public(), s.logoutSubmit)
	s.handle(fiber.MethodPost, "/lang", guard.Public(), s.langSubmit)
	s.handle(fiber.MethodGet, "/me", guard.SignedIn(), s.mePage)
	s.handle(fiber.MethodPost, "/me/password", guard.SignedIn(), s.passwordSubmit)
	s.handle(fiber.MethodGet, "/me/balance", guard.SignedIn(), s.balancePage)
	s.handle(fiber.MethodGet, "/me/notifications", guard.SignedIn(), s.inboxPage)
	s.handle(fiber.MethodPost, "/me/notifications/read", guard.SignedIn(), s.inboxReadSubmit)

	// Organizations: the pages of organizations, regions and the audit log, and their form posts. Each has
	// the rule of the JSON route that does the same, on the organization or region in the path; a handler
	// that acts on a thing named in the form or path beside it (a grant, a device, a store) checks that
	// thing's place again with guard.Can.
	atOrg := func(a access.Action) guard.Rule { return guard.Allow(a, s.targets.Org) }
	s.handle(get, "/orgs", guard.Allow(access.ReadOrg, nil), s.orgsPage)
	s.handle(get, "/orgs/:id", atOrg(access.ReadOrg), s.orgPage)
	s.handle(post, "/orgs/:id/members", atOrg(access.ManageMembers), s.memberSubmit)
	s.handle(post, "/orgs/:id/grants/:grant/revoke", atOrg(access.ManageMembers), s.grantRevokeSubmit)
	s.handle(post, "/orgs/:id/members/:user/reset", atOrg(access.ResetPasswords), s.memberResetSubmit)
	s.handle(post, "/orgs/:id/devices", atOrg(access.ManageDevices), s.deviceSubmit)
	s.handle(post, "/orgs/:id/devices/:device/revoke", atOrg(access.ManageDevices), s.deviceRevokeSubmit)
	s.handle(get, "/orgs/:id/import", atOrg(access.ManageMembers), s.rosterPage)
	s.handle(post, "/orgs/:id/import", atOrg(access.ManageMembers), s.rosterSubmit)
	s.handle(get, "/regions", guard.Allow(access.ReadRegion, nil), s.regionsPage)
	s.handle(get, "/regions/:code", guard.Allow(access.ReadRegion, s.targets.Region), s.regionPage)
	s.handle(get, "/audit", guard.Allow(access.ReadAudit, nil), s.auditPage)
	// The people who hold a role at a region node, granted and revoked by those who manage the node.
	atRegion := guard.Allow(access.ManageRegions, s.targets.Region)
	s.handle(get, "/regions/:code/roles", atRegion, s.regionRolesPage)
	s.handle(post, "/regions/:code/roles", atRegion, s.regionGrantSubmit)
	s.handle(get, "/regions/:code/roles/:grant/revoke", atRegion, s.regionRevokePage)
	s.handle(post, "/regions/:code/roles/:grant/revoke", atRegion, s.regionRevokeSubmit)

	// Reports: a region's figures are on its page (above); an organization's and a store's have a page
	// of their own, with the rule of their JSON summaries.
	s.handle(get, "/orgs/:id/summary", atOrg(access.ReadReports), s.orgSummaryPage)
	s.handle(get, "/stores/:store/summary", guard.Allow(access.ReadReports, s.storePageTarget), s.storeSummaryPage)

	// Care for residents: a community's (or street's) 三色 board, a person's page (its readers and the
	// paired volunteers; the handler decides, and audits an unmasked view), the person's card to print,
	// the volunteer's visit list and the visit form a scanned card opens, and the coordinator's
	// decisions, with the rules of the JSON routes that do the same.
	ct := s.targets.Care(s.Care)
	s.handle(get, "/communities/:code/care-board", guard.Allow(access.ReadCare, ct.Region), s.careBoardPage)
	// Registering and changing a person, pairing, and a region's visit frequencies (its administrators).
	// The region of a registration is in the form: the handler checks the caller manages care there.
	s.handle(get, "/care/people/new", guard.Allow(access.ManageCare, ct.RegionQuery), s.careNewPage)
	s.handle(post, "/care/people", guard.Allow(access.ManageCare, nil), s.careRegisterSubmit)
	s.handle(get, "/care/people/:id/edit", guard.Allow(access.ManageCare, ct.Person), s.careEditPage)
	s.handle(post, "/care/people/:id", guard.Allow(access.ManageCare, ct.Person), s.careChangeSubmit)
	s.handle(get, "/care/people/:id/pairings", guard.Allow(access.ManageCare, ct.Person), s.carePairingsPage)
	s.handle(post, "/care/people/:id/pairings", guard.Allow(access.ManageCare, ct.Person), s.carePairSubmit)
	s.handle(post, "/care/pairings/:id/end", guard.Allow(access.ManageCare, ct.Pairing), s.carePairEndSubmit)
	s.handle(get, "/regions/:code/care-frequency", guard.Allow(access.ManageRegions, s.targets.Region), s.careFrequencyPage)
	s.handle(post, "/regions/:code/care-frequency", guard.Allow(access.ManageRegions, s.targets.Region), s.careFrequencySubmit)
	s.handle(get, "/care/people/:id", guard.SignedIn(), s.carePersonPage)
	s.handle(get, "/care/people/:id/card", guard.Allow(access.ManageCare, ct.Person), s.careCardPage)
	s.handle(post, "/care/people/:id/colour", guard.Allow(access.ManageCare, ct.Person), s.careColourSubmit)
	s.handle(post, "/care/proposals/:id/decide", guard.Allow(access.ManageCare, ct.Proposal), s.careDecideSubmit)
	s.handle(get, "/me/care", guard.SignedIn(), s.myCarePage)
	s.handle(get, "/care/visit", guard.SignedIn(), s.careVisitPage)
	s.handle(post, "/care/visit", guard.SignedIn(), s.careVisitSubmit)

	// Rules kept as data: a year's public holidays (platform administrators), and an organization's
	// hours and credit policies (its administrators, as the JSON routes that set them).
	s.handle(get, "/admin/holidays", guard.Allow(access.ManageRules, nil), s.holidaysPage)
	s.handle(post, "/admin/holidays", guard.Allow(access.ManageRules, nil), s.holidaysSubmit)
	s.handle(get, "/orgs/:id/policy", atOrg(access.ManageMembers), s.orgPolicyPage)
	s.handle(post, "/orgs/:id/policy/hours", atOrg(access.ManageMembers), s.policyHoursSubmit)
	s.handle(post, "/orgs/:id/policy/credits", atOrg(access.ManageMembers), s.policyCreditsSubmit)
	// The credit policy of the platform (its administrators) and of a region (those who manage it), the
	// defaults of the levels below, as the JSON routes that set them.
	s.handle(get, "/admin/credit-policy", guard.Allow(access.ManageRules, nil), s.creditDefaultsPage)
	s.handle(post, "/admin/credit-policy", guard.Allow(access.ManageRules, nil), s.creditDefaultsSubmit)
	s.handle(get, "/regions/:code/credit-policy", guard.Allow(access.ManageRegions, s.targets.Region), s.creditDefaultsPage)
	s.handle(post, "/regions/:code/credit-policy", guard.Allow(access.ManageRegions, s.targets.Region), s.creditDefaultsSubmit)

	// The charity supermarket: the catalogue and cart, a volunteer's orders with their pickup codes, the
	// counter, donations and their acknowledgements, stock, the catalogue's management and the day report.
	// Pages about a store name it as :store; the rule checks the caller's role at that store, and every
	// handler acts at that store only.
	atStore := func(a access.Action) guard.Rule { return guard.Allow(a, s.storePageTarget) }
	s.handle(get, "/stores", guard.SignedIn(), s.storesPage)
	s.handle(get, "/stores/:store", guard.Public(), s.catalogPage)
	s.handle(post, "/stores/:store/order", guard.SignedIn(), s.orderSubmit)
	s.handle(get, "/me/orders", guard.SignedIn(), s.myOrdersPage)
	s.handle(get, "/me/orders/:order", guard.SignedIn(), s.myOrderPage)
	s.handle(post, "/me/orders/:order/cancel", guard.SignedIn(), s.myOrderCancel)

	s.handle(get, "/stores/:store/counter", atStore(access.ServeCounter), s.counterPage)
	s.handle(post, "/stores/:store/counter/scan", atStore(access.ServeCounter), s.counterScanSubmit)
	s.handle(post, "/stores/:store/counter/orders/:order/fulfil", atStore(access.ServeCounter), s.counterFulfilSubmit)
	s.handle(post, "/stores/:store/counter/sale", atStore(access.ServeCounter), s.counterSaleSubmit)
	s.handle(get, "/stores/:store/receipts/:order", atStore(access.ReadStore), s.receiptPage)

	s.handle(get, "/stores/:store/donations/new", atStore(access.ReceiveGoods), s.donationPage)
	s.handle(post, "/stores/:store/donations", atStore(access.ReceiveGoods), s.donationSubmit)
	s.handle(get, "/stores/:store/donations/:donation", atStore(access.ReadStore), s.acknowledgementPage)

	s.handle(get, "/stores/:store/stock", atStore(access.ReadStore), s.stockPage)
	s.handle(post, "/stores/:store/stock/writeoff", atStore(access.ManageStock), s.writeOffSubmit)
	s.handle(post, "/stores/:store/stock/count", atStore(access.ManageStock), s.countSubmit)
	s.handle(post, "/stores/:store/stock/expired", atStore(access.ManageStock), s.writeOffExpiredSubmit)

	s.handle(get, "/stores/:store/items", atStore(access.ManageCatalog), s.itemsPage)
	s.handle(get, "/stores/:store/items/new", atStore(access.ManageCatalog), s.itemNewPage)
	s.handle(post, "/stores/:store/items", atStore(access.ManageCatalog), s.itemCreateSubmit)
	s.handle(get, "/stores/:store/items/:item", atStore(access.ManageCatalog), s.itemEditPage)
	s.handle(post, "/stores/:store/items/:item", atStore(access.ManageCatalog), s.itemUpdateSubmit)
	s.handle(post, "/stores/:store/items/:item/photo", atStore(access.ManageCatalog), s.itemPhotoSubmit)
	s.handle(post, "/stores/:store/items/:item/photo/delete", atStore(access.ManageCatalog), s.itemPhotoDeleteSubmit)

	s.handle(get, "/stores/:store/report", atStore(access.ReadStore), s.dayReportPage)
	s.handle(get, "/stores/:store/exports", atStore(access.ReadStore), s.storeExportsPage)

	// A store's rules (shelf life of donated food, pickup time, near-expiry warning): shown to those who
	// read the store, changed by those who manage its catalogue, as the JSON routes that do the same.
	s.handle(get, "/stores/:store/rules", atStore(access.ReadStore), s.storeRulesPage)
	s.handle(post, "/stores/:store/rules", atStore(access.ManageCatalog), s.storeRulesSubmit)

	// Goods for households in hardship: the households, their registration with consent, an allocation and
	// its signed slip. Only those allowed store.aid at the store see them (the status of a household is
	// need-to-know); like every page they are sent with Cache-Control: no-store, and they show names and
	// phones masked only.
	aid := guard.Allow(access.AllocateAid, s.storePageTarget)
	s.handle(get, "/stores/:store/aid", aid, s.aidPage)
	s.handle(get, "/stores/:store/aid/households/new", aid, s.householdNewPage)
	s.handle(post, "/stores/:store/aid/households", aid, s.householdSubmit)
	s.handle(post, "/stores/:store/aid/households/:household/deactivate", aid, s.householdDeactivateSubmit)
	s.handle(get, "/stores/:store/aid/new", aid, s.aidNewPage)
	s.handle(post, "/stores/:store/aid", aid, s.aidSubmit)
	s.handle(get, "/stores/:store/aid/:aid", aid, s.aidSlipPage)

	// Earning hours: what a scanned code opens (/q/<token>), the kiosk screen, a volunteer's activities,
	// records, member code and transfers, and a coordinator's activities, new activity and verification
	// queue. Forms post to page routes that call the same recording service as the JSON API; the kiosk
	// page's script calls the JSON API itself.
	own := guard.SignedIn()
	// 幸福管家: the resident's form (opened by a desk's code, /q/) and page (the link's access key,
	// /service/r/<key>, traded for a cookie of /service/mine/<id>), the volunteer's tasks and the
	// visit at the door (the request's code, /q/), the team's dispatch.
	sr := s.targets.ServiceRequests(s.ServiceDesk)
	s.handle(post, "/service/ask", guard.Public(), s.serviceAskSubmit)
	s.handle(get, "/service/r/:access", guard.Public(), s.serviceOpenPage)
	s.handle(get, "/service/mine/:id", guard.Public(), s.serviceMinePage)
	s.handle(post, "/service/mine/:id/confirm", guard.Public(), s.serviceConfirmSubmit)
	s.handle(post, "/service/mine/:id/rate", guard.Public(), s.serviceRateSubmit)
	s.handle(post, "/service/mine/:id/cancel", guard.Public(), s.serviceCancelSubmit)
	s.handle(get, "/service/tasks", guard.SignedIn(), s.serviceTasksPage)
	s.handle(post, "/service/tasks/:id/:step", guard.Allow(access.DoServices, sr.Request), s.serviceStepSubmit)
	s.handle(post, "/service/visit", guard.SignedIn(), s.serviceVisitSubmit)
	s.handle(get, "/orgs/:id/service", atOrg(access.DispatchServices), s.serviceDispatchPage)
	s.handle(post, "/orgs/:id/service/desks", atOrg(access.DispatchServices), s.serviceDeskSubmit)
	s.handle(post, "/orgs/:id/service/:request/:step", atOrg(access.DispatchServices), s.serviceDispatchSubmit)

	scans := &scanPages{server: s, codes: s.Codes}
	s.handle(get, "/q/:token", guard.Public(), scans.qrPage)
	s.handle(post, "/q/:token", own, scans.scanSubmit)
	s.handle(get, pendingPath, own, scans.pendingPage)
	s.handle(post, pendingPath, own, scans.pendingSubmit)

	s.handle(get, "/activities", own, s.activitiesPage)
	s.handle(post, "/activities/:id/signup", own, s.signupSubmit)
	s.handle(post, "/activities/:id/cancel", own, s.cancelSignupSubmit)
	s.handle(get, "/me/activities", own, s.myActivitiesPage)
	s.handle(get, "/me/records", own, s.myRecordsPage)
	s.handle(get, "/me/records/:id", own, s.myRecordPage)
	s.handle(post, "/me/records/:id/dispute", own, s.disputeSubmit)
	s.handle(get, "/me/code", own, s.memberCodePage)
	s.handle(get, "/me/code/image", own, s.memberCodeImage)
	s.handle(get, "/me/transfer", own, s.transferPage)
	s.handle(post, "/me/transfer", own, s.transferSubmit)

	// The organization comes from the form; the handler checks the caller may act there.
	s.handle(get, "/activities/manage", guard.Allow(access.ReadActivities, nil), s.manageActivitiesPage)
	s.handle(get, "/activities/new", guard.Allow(access.ManageActivities, nil), s.newActivityPage)
	s.handle(post, "/activities", guard.Allow(access.ManageActivities, nil), s.newActivitySubmit)
	kiosk := guard.Allow(access.RunKiosk, s.targets.Activity)
	s.handle(get, "/activities/:id/kiosk", kiosk, s.kioskPage)
	s.handle(get, "/activities/:id/kiosk/code", kiosk, s.kioskCodeImage)
	s.handle(get, "/activities/:id/kiosk/status", kiosk, s.kioskStatus)
	s.handle(get, "/activities/:id/queue", guard.Allow(access.ReadActivities, s.targets.Activity), s.queuePage)
	s.handle(post, "/activities/:id/verify", guard.Allow(access.VerifyHours, s.targets.Activity), s.verifySubmit)

	// Correcting service: an activity's records with their status, the organization's open disputes, a
	// record with its history and the forms to amend it or dismiss its dispute, and hours added by hand
	// (补录) with their second approval. They call the same recording service as the JSON API.
	verify := guard.Allow(access.VerifyHours, s.targets.Activity)
	// The organizations are the caller's own: the handler lists only those.
	s.handle(get, "/activities/disputes", guard.Allow(access.ReadActivities, nil), s.openDisputesPage)
	s.handle(get, "/activities/:id/records", guard.Allow(access.ReadActivities, s.targets.Activity), s.activityRecordsPage)
	s.handle(get, "/records/:id", guard.Allow(access.ReadActivities, s.targets.Record), s.orgRecordPage)
	s.handle(post, "/records/:id/amend", guard.Allow(access.VerifyHours, s.targets.Record), s.amendSubmit)
	s.handle(post, "/records/:id/dismiss", guard.Allow(access.VerifyHours, s.targets.Record), s.dismissSubmit)
	s.handle(get, "/activities/:id/manual", verify, s.manualPage)
	s.handle(post, "/activities/:id/manual", verify, s.manualSubmit)
	s.handle(post, "/activities/:id/manual/decide", verify, s.manualDecideSubmit)

	// Changing an activity before it starts and cancelling it before it ends, and its page for volunteers
	// (after the fixed paths above, which :id would otherwise take).
	change := guard.Allow(access.ManageActivities, s.targets.Activity)
	s.handle(get, "/activities/:id/edit", change, s.editActivityPage)
	s.handle(post, "/activities/:id/edit", change, s.editActivitySubmit)
	s.handle(get, "/activities/:id/cancellation", change, s.callOffPage)
	s.handle(post, "/activities/:id/cancellation", change, s.callOffSubmit)
	s.handle(get, "/activities/:id", own, s.activityDetailPage)

	// Certificates of volunteer service: the public check a certificate's QR code opens (/c/<code>), a
	// volunteer's requests and certificates, the printable certificate (the volunteer's own, or the
	// handler checks certificate.read at the organization that issued it), and the organization's queue,
	// direct issue, register with revocation, and seal. Pages about a request or a certificate of an
	// organization act at the organization in the path, and the service finds the request or certificate
	// there only.
	s.handle(get, "/c/:token", guard.Public(), s.certificateCheckPage)
	s.handle(get, "/me/certificates", own, s.myCertificatesPage)
	s.handle(post, "/me/certificates", own, s.certificateRequestSubmit)
	s.handle(get, "/certificates/:id", own, s.certificatePrintPage)
	s.handle(get, "/orgs/:id/certificates", atOrg(access.ReadCertificates), s.certificateRegisterPage)
	s.handle(post, "/orgs/:id/certificates", atOrg(access.IssueCertificates), s.certificateNewSubmit)
	s.handle(get, "/orgs/:id/certificates/new", atOrg(access.IssueCertificates), s.certificateNewPage)
	s.handle(post, "/orgs/:id/certificates/:cert/revoke", atOrg(access.IssueCertificates), s.certificateRevokeSubmit)
	s.handle(post, "/orgs/:id/certificates/:cert/supersede", atOrg(access.IssueCertificates), s.certificateSupersedeSubmit)
	s.handle(get, "/orgs/:id/certificates/requests", atOrg(access.ReadCertificates), s.certificateQueuePage)
	s.handle(get, "/orgs/:id/certificates/requests/:request", atOrg(access.IssueCertificates), s.certificateRequestPage)
	s.handle(post, "/orgs/:id/certificates/requests/:request/issue", atOrg(access.IssueCertificates), s.certificateIssueSubmit)
	s.handle(post, "/orgs/:id/certificates/requests/:request/refuse", atOrg(access.IssueCertificates), s.certificateRefuseSubmit)
	s.handle(post, "/orgs/:id/seal", atOrg(access.IssueCertificates), s.sealSubmit)
	// 公示: the public page of an organization's published certificates and its objection form (no
	// sign-in), publishing from the register, and deciding objections.
	s.handle(get, "/orgs/:id/publicity", guard.Public(), s.certificatePublicityPage)
	s.handle(post, "/orgs/:id/publicity", guard.Public(), s.certificateObjectionSubmit)
	s.handle(post, "/orgs/:id/certificates/:cert/publish", atOrg(access.IssueCertificates), s.certificatePublishSubmit)
	s.handle(post, "/orgs/:id/certificates/objections/:objection", atOrg(access.IssueCertificates), s.certificateObjectionDecide)

	// The sign-in of kiosk and counter devices in a plain browser: a browser cannot send the device token
	// as a bearer header, so the token is entered once at /device and the browser keeps a device session
	// cookie instead.
	s.handle(fiber.MethodGet, "/device", guard.Public(), s.deviceSignInPage)
	s.handle(fiber.MethodPost, "/device", guard.Public(), s.deviceSignInSubmit)
	s.handle(fiber.MethodPost, "/device/signout", guard.Public(), s.deviceSignOutSubmit)
	return s.errorPage
}
