package roster

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"timebank/pkg/identity"
)

// Volunteer is one good row of a roster, normalised. It holds the resident ID number in full
// because the import must hash it (identity.HashResidentID) and derive the masked form; it must go
// nowhere else. Printing, logging or JSON-encoding a Volunteer shows the ID and the phone number
// masked.
type Volunteer struct {
	Line       int    // 1-based line in the file, for messages of the import that follows
	Name       string // trimmed, 1–50 characters
	Phone      string // 11 digits (identity.NormalizePhone)
	ResidentID string // empty, or valid and normalised (identity.NormalizeResidentID): never log it
	// Gender is read from the resident ID when there is one (the gender column, if any, agrees
	// with it), else from the gender column; empty when neither says.
	Gender identity.Gender
	// BirthDate is midnight UTC of the birth date, from the ID or the birth date column (which
	// agree when both are given); zero when neither says.
	BirthDate time.Time
	// VolunteerNo is the number the exporting system gave the volunteer, not this service's.
	VolunteerNo       string
	Skills            []string // from 技能/特长, split into items
	ServiceCategories []string // from 服务类别, split into items
}

// String shows the volunteer with the phone and ID masked, so that a %v in a log or an error
// never leaks them.
func (v Volunteer) String() string {
	return fmt.Sprintf("{line %d %s %s %s}", v.Line, v.Name, identity.MaskPhone(v.Phone), identity.MaskResidentID(v.ResidentID))
}

// GoString is String: %#v must not print the ID either.
func (v Volunteer) GoString() string { return "roster.Volunteer" + v.String() }

// MarshalJSON gives the masked form, as identity.User does: a preview of the import sent to the
// browser, or slog's JSON handler logging a slice of volunteers, must not carry the numbers.
func (v Volunteer) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Line              int             `json:"line"`
		Name              string          `json:"name"`
		Phone             string          `json:"phone"`
		ResidentID        string          `json:"resident_id,omitempty"`
		Gender            identity.Gender `json:"gender,omitempty"`
		VolunteerNo       string          `json:"volunteer_no,omitempty"`
		Skills            []string        `json:"skills,omitempty"`
		ServiceCategories []string        `json:"service_categories,omitempty"`
	}{v.Line, v.Name, identity.MaskPhone(v.Phone), identity.MaskResidentID(v.ResidentID), v.Gender, v.VolunteerNo, v.Skills, v.ServiceCategories})
}

// LogValue gives slog the masked form.
func (v Volunteer) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("line", v.Line),
		slog.String("phone", identity.MaskPhone(v.Phone)),
		slog.String("resident_id", identity.MaskResidentID(v.ResidentID)),
	)
}
