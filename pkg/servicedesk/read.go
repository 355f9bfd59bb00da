package servicedesk

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lib/pq"

	"timebank/pkg/identity"
)

// Request is a service request as one reader may see it: Name, Phone and Address are in the clear
// only for the resident, the volunteer assigned and the team's coordinators (Unmasked), masked for
// everyone else.
type Request struct {
	ID            int64      `db:"id" json:"id"`
	DeskID        int64      `db:"desk_id" json:"desk_id"`
	OrgID         int64      `db:"org_id" json:"org_id"`
	OrgName       string     `db:"org_name" json:"org_name"`
	RegionCode    string     `db:"region_code" json:"region_code"`
	CommunityName string     `db:"community_name" json:"community_name"`
	Category      string     `db:"category" json:"category"`
	WantedAt      time.Time  `db:"wanted_at" json:"wanted_at"`
	Note          string     `db:"note" json:"note"`
	ForSelf       bool       `db:"for_self" json:"for_self"`
	CarePersonID  *int64     `db:"care_person_id" json:"care_person_id,omitempty"`
	Name          string     `db:"-" json:"name,omitempty"`
	Phone         string     `db:"-" json:"phone"`
	Address       string     `db:"-" json:"address"`
	Unmasked      bool       `db:"-" json:"unmasked"`
	Status        string     `db:"status" json:"status"`
	VolunteerID   *int64     `db:"volunteer_id" json:"volunteer_id,omitempty"`
	VolunteerName string     `db:"volunteer_name" json:"volunteer_name,omitempty"`
	AssignedAt    *time.Time `db:"assigned_at" json:"assigned_at,omitempty"`
	AcceptedAt    *time.Time `db:"accepted_at" json:"accepted_at,omitempty"`
	StartedAt     *time.Time `db:"started_at" json:"started_at,omitempty"`
	FinishedAt    *time.Time `db:"finished_at" json:"finished_at,omitempty"`
	FinishNote    string     `db:"finish_note" json:"finish_note,omitempty"`
	ConfirmedAt   *time.Time `db:"confirmed_at" json:"confirmed_at,omitempty"`
	ConfirmedVia  *string    `db:"confirmed_via" json:"confirmed_via,omitempty"`
	RecordID      *int64     `db:"record_id" json:"record_id,omitempty"`
	Rating        *int       `db:"rating" json:"rating,omitempty"`
	RatingComment string     `db:"rating_comment" json:"rating_comment,omitempty"`
	CommentStatus string     `db:"comment_status" json:"comment_status"`
	FlaggedAt     *time.Time `db:"flagged_at" json:"flagged_at,omitempty"`
	CancelledAt   *time.Time `db:"cancelled_at" json:"cancelled_at,omitempty"`
	CancelReason  string     `db:"cancel_reason" json:"cancel_reason,omitempty"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
	// AnswerBy is when the desk promised to have answered (assigned or taken) the request.
	AnswerBy time.Time `db:"answer_by" json:"answer_by"`

	// The sealed contact as read; reveal empties them.
	PhoneSealed   []byte `db:"phone_sealed" json:"-"`
	AddressSealed []byte `db:"address_sealed" json:"-"`
	NameSealed    []byte `db:"name_sealed" json:"-"`
}

// Viewer is who reads a request, as the web layer knows them.
type Viewer struct {
	UserID      int64 // the person signed in, if any
	Coordinator bool  // may dispatch the request's team (coordinator, org admin …)
	Resident    bool  // holds the request's access key
}

const requestColumns = `q.id, q.desk_id, q.org_id, o.name AS org_name, q.region_code, g.name AS community_name,
	q.category, q.wanted_at, q.note, q.for_self, q.care_person_id, q.status, q.volunteer_id,
	coalesce(u.name, '') AS volunteer_name, q.assigned_at, q.accepted_at, q.started_at, q.finished_at,
	q.finish_note, q.confirmed_at, q.confirmed_via, q.record_id, q.rating, q.rating_comment, q.comment_status,
	q.flagged_at, q.cancelled_at, q.cancel_reason, q.created_at, q.created_at + make_interval(mins => d.promise_minutes) AS answer_by,
	q.phone_sealed, q.address_sealed, q.name_sealed`

const requestFrom = ` FROM service_requests q JOIN service_desks d ON d.id = q.desk_id
JOIN organizations o ON o.id = q.org_id JOIN regions g ON g.code = q.region_code
LEFT JOIN users u ON u.id = q.volunteer_id`

// Request returns one request as the viewer may see it. Errors: ErrRequestNotFound.
func (s *Service) Request(ctx context.Context, id int64, v Viewer) (Request, error) {
	var rows []Request
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+requestColumns+requestFrom+` WHERE q.id = $1`, id); err != nil {
		return Request{}, err
	}
	if len(rows) == 0 {
		return Request{}, ErrRequestNotFound
	}
	return rows[0], s.reveal(&rows[0], v)
}

// RequestOrg returns the organization whose team a request is for, for the access check of a route
// about it. Errors: ErrRequestNotFound.
func (s *Service) RequestOrg(ctx context.Context, id int64) (int64, error) {
	var org int64
	err := s.db.GetContext(ctx, &org, `SELECT org_id FROM service_requests WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrRequestNotFound
	}
	return org, err
}

// ListQuery selects requests of organizations (a coordinator's dispatch) or of one volunteer.
type ListQuery struct {
	OrgIDs      []int64  // requests of these teams
	VolunteerID int64    // or: the requests assigned to this volunteer, and those of OrgIDs still open
	Statuses    []string // only these (default: all)
	After       int64    // keyset: ids below this (newest first); 0 for the first page
	Limit       int      // default and at most 100
}

// List returns requests newest first as the viewer may see them.
func (s *Service) List(ctx context.Context, q ListQuery, v Viewer) ([]Request, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 100
	}
	after := q.After
	if after <= 0 {
		after = 1 << 62
	}
	where := `q.org_id = ANY($1) AND $5::bigint = 0`
	if q.VolunteerID != 0 {
		where = `(q.volunteer_id = $5 OR q.org_id = ANY($1) AND q.status = 'submitted')`
	}
	rows := []Request{}
	err := s.db.SelectContext(ctx, &rows, `SELECT `+requestColumns+requestFrom+`
WHERE `+where+` AND (coalesce(cardinality($2::text[]), 0) = 0 OR q.status = ANY($2)) AND q.id < $3
ORDER BY q.id DESC LIMIT $4`, pq.Int64Array(q.OrgIDs), pq.StringArray(q.Statuses), after, q.Limit, q.VolunteerID)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if err := s.reveal(&rows[i], v); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// reveal opens the sealed contact for those who may read it and masks it for the rest; an
// unpublished comment is shown to coordinators only.
func (s *Service) reveal(r *Request, v Viewer) error {
	r.Unmasked = v.Resident || v.Coordinator || v.UserID != 0 && r.VolunteerID != nil && *r.VolunteerID == v.UserID
	phone, err := s.box.Open(colPhone, r.PhoneSealed)
	if err != nil {
		return err
	}
	address, err := s.box.Open(colAddress, r.AddressSealed)
	if err != nil {
		return err
	}
	name, err := s.box.Open(colName, r.NameSealed)
	if err != nil {
		return err
	}
	r.PhoneSealed, r.AddressSealed, r.NameSealed = nil, nil, nil
	if r.Unmasked {
		r.Phone, r.Address, r.Name = phone, address, name
	} else {
		r.Phone, r.Address, r.Name = identity.MaskPhone(phone), maskAddress(address), identity.MaskName(name)
	}
	if r.CommentStatus != CommentPublished && !v.Coordinator && !v.Resident {
		r.RatingComment = ""
	}
	return nil
}

// maskAddress keeps the first few characters (the district or road), enough to plan a trip.
func maskAddress(a string) string {
	r := []rune(a)
	if len(r) <= 4 {
		return "****"
	}
	return string(r[:min(6, len(r)/2)]) + "****"
}
