package certificate

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
	"timebank/pkg/identity"
)

// Purposes a certificate is asked for: 升学 (school), 就业 (employer), 评优 (award), other.
const (
	PurposeSchool   = "school"
	PurposeEmployer = "employer"
	PurposeAward    = "award"
	PurposeOther    = "other"
)

// Statuses of a certificate: in force, revoked with a reason, or replaced by a newer one.
const (
	StatusIssued     = "issued"
	StatusRevoked    = "revoked"
	StatusSuperseded = "superseded"
)

// Certificate is one issued certificate as the register keeps it: a snapshot of the person, the
// service and the issuer at issue, never changed after, except for its status.
type Certificate struct {
	ID        int64  `db:"id" json:"id"`
	OrgID     int64  `db:"org_id" json:"org_id"`
	UserID    int64  `db:"user_id" json:"user_id"`
	RequestID *int64 `db:"request_id" json:"request_id,omitempty"`
	Number    string `db:"number" json:"number"`         // per organization and year, without gaps
	IssueDate string `db:"issue_date" json:"issue_date"` // YYYY-MM-DD, China Standard Time
	From      string `db:"period_from" json:"from,omitempty"`
	To        string `db:"period_to" json:"to,omitempty"`
	Purpose   string `db:"purpose" json:"purpose"`

	PersonName  string `db:"person_name" json:"person_name"`
	IDType      string `db:"id_type" json:"id_type"`     // resident_id, or none when no ID was given
	IDMasked    string `db:"id_masked" json:"id_masked"` // 3301**********123X
	VolunteerNo string `db:"volunteer_no" json:"volunteer_no"`

	TotalMinutes  int64   `db:"total_minutes" json:"total_minutes"`
	ScanMinutes   int64   `db:"scan_minutes" json:"scan_minutes"`     // recorded by scanning in and out
	ManualMinutes int64   `db:"manual_minutes" json:"manual_minutes"` // added by hand (补录)
	Records       Records `db:"records" json:"records,omitempty"`

	OrgName         string `db:"org_name" json:"org_name"`
	OrgCodeKind     string `db:"org_code_kind" json:"org_code_kind"` // credit_code, or filing
	OrgCode         string `db:"org_code" json:"org_code"`
	ResponsibleName string `db:"responsible_name" json:"responsible_name"` // 负责人
	Handler         string `db:"handler" json:"handler"`                   // 经办人's label
	HandlerName     string `db:"handler_name" json:"handler_name"`         // 经办人
	Contact         string `db:"contact" json:"contact"`
	Notes           string `db:"notes" json:"notes"`

	KeyID        int        `db:"key_id" json:"key_id"`
	Token        string     `db:"token" json:"token"` // the signed verification code
	Status       string     `db:"status" json:"status"`
	StatusReason *string    `db:"status_reason" json:"status_reason,omitempty"`
	StatusBy     *string    `db:"status_by" json:"status_by,omitempty"`
	StatusAt     *time.Time `db:"status_at" json:"status_at,omitempty"`
	SupersededBy *int64     `db:"superseded_by" json:"superseded_by,omitempty"`
	CreatedAt    time.Time  `db:"created_at" json:"created_at"`
}

// MaskedName returns the person's name as the public check shows it.
func (c Certificate) MaskedName() string { return identity.MaskName(c.PersonName) }

// Record is one service record as certified: its id and revision at issue, and what it says.
type Record struct {
	RecordID int64  `db:"record_id" json:"record_id"`
	Revision int    `db:"revision" json:"revision"`
	Date     string `db:"date" json:"date"` // YYYY-MM-DD
	Activity string `db:"activity" json:"activity"`
	Content  string `db:"content" json:"content"`
	Minutes  int64  `db:"minutes" json:"minutes"`
	Kind     string `db:"kind" json:"kind"` // scan, or manual (补录)
}

// Records are a certificate's records, kept as a JSON array.
type Records []Record

// Scan reads the JSON array.
func (r *Records) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		return json.Unmarshal(v, r)
	case string:
		return json.Unmarshal([]byte(v), r)
	case nil:
		*r = nil
		return nil
	}
	return fmt.Errorf("certificate: records from %T", src)
}

// Value writes the JSON array.
func (r Records) Value() (driver.Value, error) {
	if r == nil {
		return "[]", nil
	}
	b, err := json.Marshal(r)
	return string(b), err
}

// columns are the certificate's columns as Certificate reads them, records left out (they are
// read only where shown).
const columns = `c.id, c.org_id, c.user_id, c.request_id, c.number, to_char(c.issue_date, 'YYYY-MM-DD') AS issue_date,
coalesce(to_char(c.period_from, 'YYYY-MM-DD'), '') AS period_from,
coalesce(to_char(c.period_to, 'YYYY-MM-DD'), '') AS period_to, c.purpose, c.person_name, c.id_type,
c.id_masked, c.volunteer_no, c.total_minutes, c.scan_minutes, c.manual_minutes, c.org_name, c.org_code_kind,
c.org_code, c.responsible_name, c.handler, c.handler_name, c.contact, c.notes, c.key_id, c.token, c.status,
c.status_reason, c.status_by, c.status_at, c.superseded_by, c.created_at`
