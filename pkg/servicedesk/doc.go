// Package servicedesk is 幸福管家, one code one service: a community team's printed code (a desk)
// on which a resident, a family member or a grid worker asks for a service; dispatch to the team's
// volunteers (assigned by a coordinator, or taken by a volunteer, once); the visit proven by a scan
// of the request's code at the door; the resident's confirmation, which makes a verified service
// record through activity.RecordService; and the resident's rating, whose comment is published
// only after a coordinator has read it.
//
// Residents need no account: they prove their phone number with a one-time SMS code, and their
// request's link (Access) lets them follow, confirm and rate it. Their phone and address are sealed
// in the database (pkg/sealed), under the key version the row's key_version names (the service's one
// key table, rotated by `timebank keys rotate`), and shown only to the volunteer assigned and the
// team's coordinators. The resident's key travels in a link (the SMS, the slip); the web pages
// trade it for a cookie at once, so that it stays out of addresses, logs and Referer headers.
package servicedesk
