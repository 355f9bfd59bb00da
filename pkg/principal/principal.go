// Package principal is who acts: a person, a device at a counter or kiosk, or the operator. Every
// area that records who made a change (the ledger's transactions, the stock journal, service
// records, the audit log) takes a *Principal and names it by its Label.
//
// It is a leaf package under pkg/: the areas import it, and so does pkg/access, whose Principal
// adds the roles that authorization reads. It cannot live in access, which depends on org, one of
// the areas that record who acts.
package principal

import (
	"strconv"
	"strings"
)

// Principal is who acts. A person has a UserID, a device a DeviceID; neither is the operator (the
// command line, the operator token). Name is what pages and slips print: the person's name or the
// device's label.
type Principal struct {
	UserID   int64  `json:"user_id,omitempty"`
	DeviceID int64  `json:"device_id,omitempty"`
	Name     string `json:"name"`
	// Resident is a resident acting on their own request with its access key or a code sent to
	// their phone: no person of the service, and not the operator.
	Resident bool `json:"resident,omitempty"`
}

// Operator returns the operator, who acts from the command line or with the operator token.
func Operator() *Principal { return &Principal{Name: operatorLabel} }

// Label names the principal in audit entries, journal entries and ledger transactions: "user:42",
// "device:7", "resident" or "operator"; "" for nil, which every journal refuses.
func (p *Principal) Label() string {
	switch {
	case p == nil:
		return ""
	case p.UserID != 0:
		return userLabel + strconv.FormatInt(p.UserID, 10)
	case p.DeviceID != 0:
		return deviceLabel + strconv.FormatInt(p.DeviceID, 10)
	case p.Resident:
		return ResidentLabel
	}
	return operatorLabel
}

// The shapes of labels: a prefix and an id, or the operator.
const (
	userLabel     = "user:"
	deviceLabel   = "device:"
	operatorLabel = "operator"
)

// ResidentLabel is the label of a resident acting on their own request (see Principal.Resident).
const ResidentLabel = "resident"

// ParseLabel reads a label that Label made of a person, a device or the operator: the person's id or
// the device's (the other is 0), or both 0 for the operator. ok is false for any other text, the
// resident's label included.
func ParseLabel(label string) (userID, deviceID int64, ok bool) {
	if label == operatorLabel {
		return 0, 0, true
	}
	if raw, found := strings.CutPrefix(label, userLabel); found {
		userID, _ = strconv.ParseInt(raw, 10, 64)
	} else if raw, found := strings.CutPrefix(label, deviceLabel); found {
		deviceID, _ = strconv.ParseInt(raw, 10, 64)
	}
	if userID > 0 || deviceID > 0 {
		return userID, deviceID, true
	}
	return 0, 0, false
}
