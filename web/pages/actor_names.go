package pages

import (
	"context"
	"errors"
	"fmt"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/web/i18n"
)

// actorNames shows the actor labels that records and audit entries keep ("user:42", "device:7",
// "resident", "operator") as their readers know them: a person by name, a device by kind and name,
// a resident acting on their own request as such, the operator as the system administrator. A label it cannot resolve (a person or device since deleted, a
// label of another shape) is shown as it is. Make one per page: it reads each label once.
type actorNames struct {
	s     *server
	lang  string
	known map[string]string
}

// actorNames returns the names of the actors of one page, in the reader's language.
func (s *server) actorNames(lang string) *actorNames {
	return &actorNames{s: s, lang: lang, known: map[string]string{}}
}

// name returns how a page shows the actor with the label.
func (n *actorNames) name(ctx context.Context, label string) (string, error) {
	if name, ok := n.known[label]; ok {
		return name, nil
	}
	name, err := n.read(ctx, label)
	if err != nil {
		return "", err
	}
	n.known[label] = name
	return name, nil
}

func (n *actorNames) read(ctx context.Context, label string) (string, error) {
	userID, deviceID, ok := who.ParseLabel(label)
	switch {
	case label == who.ResidentLabel:
		return n.s.msgs.Get(n.lang, "page.actor.resident"), nil
	case !ok:
		return label, nil
	case userID != 0:
		u, err := n.s.Users.ByID(ctx, userID)
		switch {
		case errors.Is(err, identity.ErrUserNotFound):
			return label, nil
		case err != nil:
			return "", fmt.Errorf("actor %s: %w", label, err)
		}
		return u.Name, nil
	case deviceID != 0:
		d, err := n.s.Users.DeviceByID(ctx, deviceID)
		switch {
		case errors.Is(err, identity.ErrDeviceNotFound):
			return label, nil
		case err != nil:
			return "", fmt.Errorf("actor %s: %w", label, err)
		}
		return deviceName(n.s.msgs, n.lang, d.Role, d.Label), nil
	}
	return n.s.msgs.Get(n.lang, "page.actor.operator"), nil
}

// revisions names who made each revision that the history query could not name (it joins people
// only): devices and the operator.
func (n *actorNames) revisions(ctx context.Context, h []activity.RevisionEntry) error {
	for i := range h {
		if h[i].ByName != "" {
			continue
		}
		name, err := n.name(ctx, h[i].CreatedBy)
		if err != nil {
			return err
		}
		h[i].ByName = name
	}
	return nil
}

// deviceName is a device as pages name it, its kind and its label: "签到设备 · 东门".
func deviceName(msgs i18n.Messages, lang string, role access.Role, label string) string {
	switch role {
	case access.Kiosk:
		return fmt.Sprintf(msgs.Get(lang, "page.actor.kiosk"), label)
	case access.Counter:
		return fmt.Sprintf(msgs.Get(lang, "page.actor.counter"), label)
	}
	return label
}

// principalDeviceName is the signed-in device's name, "" when the principal is not a device.
func principalDeviceName(msgs i18n.Messages, lang string, p *access.Principal) string {
	if p == nil || p.DeviceID == 0 || len(p.Grants) == 0 {
		return ""
	}
	return deviceName(msgs, lang, p.Grants[0].Role, p.Name)
}
