// Package qr makes and checks the short signed tokens behind every QR code of the service, and draws
// the codes. A code carries a URL, BASE_URL/q/<token>, so that a phone camera or WeChat opens our page
// and a USB scanner types it into the counter page.
//
// A token is the type's one character followed by base64url (no padding) of
//
//	key id (1 byte) | flags (1 byte) | uvarint subject | [uvarint aux] | [uvarint expires] | [nonce, 8 bytes] | MAC (12 bytes)
//
// where the MAC is HMAC-SHA256 over the type character and every byte before it, cut to 96 bits. The
// key id lets keys rotate without voiding the codes already out there; the flags say which optional
// fields are present, so a token carries only what its kind needs and the code stays small enough
// (QR version 6 or lower) for cheap phones and scanners.
//
// What each kind guards against decides its shape: check-in codes live about a minute, so a photo of
// the kiosk screen sent to someone at home is soon useless; member and pickup codes are single use
// (a nonce that Redis marks spent), so a screenshot cannot be replayed at the counter; certificates
// and donation receipts never expire but are signed, so a forged one is refused.
package qr

import "fmt"

// Type says what a token stands for. Its wire form is one character, the token's first, so a
// handler can route a scan before reading the rest; the character is signed with the rest, so a token
// of one kind can never be passed off as another.
type Type byte

// The token types. The subject each one names is in its comment.
const (
	CheckIn     Type = 'i' // activity check-in, shown on the kiosk screen; subject: activity id
	CheckOut    Type = 'o' // activity check-out, shown on the kiosk screen; subject: activity id
	Member      Type = 'm' // member code on the volunteer's phone, paid with at the counter; subject: user id
	Pickup      Type = 'p' // order pickup code on the volunteer's phone; subject: order id, aux: store id
	Certificate Type = 'c' // printed on a service certificate; subject: certificate id
	Receipt     Type = 'r' // printed on a donation receipt; subject: donation id
	// PendingScan is never drawn: it is a kiosk scan made in a browser that was not signed in,
	// kept in that browser's cookie until the person signs in. Subject: activity id; aux: the scan's
	// unix second, shifted left once, with 1 for a check-out code.
	PendingScan Type = 's'
	// ServiceDesk is printed and posted in a community: a resident scans it to ask its team for a
	// service (幸福管家). Subject: the desk id.
	ServiceDesk Type = 'd'
	// ServiceVisit is shown by the resident of a service request (on their phone or a slip) and
	// scanned by the volunteer at the door, as proof of the visit. Subject: the request id.
	ServiceVisit Type = 'v'
	// CareCard is printed on the card of a person who receives care, scanned at the door to prove a
	// visit; subject: the person's id in the care registry, aux: the card's version (a reprint voids
	// the cards printed before).
	CareCard Type = 'k'
)

// Types lists every token type, for tests and documentation.
var Types = []Type{CheckIn, CheckOut, Member, Pickup, Certificate, Receipt, PendingScan, ServiceDesk, ServiceVisit, CareCard}

// Valid reports whether t is one of the token types.
func (t Type) Valid() bool {
	switch t {
	case CheckIn, CheckOut, Member, Pickup, Certificate, Receipt, PendingScan, ServiceDesk, ServiceVisit, CareCard:
		return true
	}
	return false
}

// SingleUse reports whether a token of this type must be spent (see Spend) when it is used: a
// screenshot of a member code, or a pickup code shown twice, must not buy goods twice.
func (t Type) SingleUse() bool { return t == Member || t == Pickup || t == PendingScan }

// Expiring reports whether a token of this type must carry an expiry. Codes shown on a screen must;
// codes printed on paper (certificates, receipts) are meant to be checked years later.
func (t Type) Expiring() bool {
	return t == CheckIn || t == CheckOut || t == Member || t == Pickup || t == PendingScan
}

// String names the type for logs and messages.
func (t Type) String() string {
	switch t {
	case CheckIn:
		return "check-in"
	case CheckOut:
		return "check-out"
	case Member:
		return "member"
	case Pickup:
		return "pickup"
	case Certificate:
		return "certificate"
	case Receipt:
		return "receipt"
	case PendingScan:
		return "pending scan"
	case ServiceDesk:
		return "service desk"
	case ServiceVisit:
		return "service visit"
	case CareCard:
		return "care card"
	}
	return fmt.Sprintf("Type(%q)", byte(t))
}
