package servicedesk

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// The ways a resident's confirmation arrives.
const (
	ViaResident   = "resident"    // on the request's page, opened by its access key
	ViaSMS        = "sms"         // with a one-time code sent to the request's phone
	ViaGridWorker = "grid_worker" // a signed-in grid worker (or coordinator) for the resident
)

// Confirmation proves who confirms: the request's access key, or its phone's one-time code, or a
// signed-in person who may act for the request's residents (By, found by ConfirmerOf). A person
// who also holds the access key (a grid worker who asked for the resident) confirms as themselves.
type Confirmation struct {
	Access  string `json:"access,omitempty"`
	SMSCode string `json:"sms_code,omitempty"`
	By      *principal.Principal
}

// activityCategories files each kind of request under the activity categories records use.
var activityCategories = map[string]string{"meal": "elderly", "cleaning": "elderly", "escort": "health",
	"shopping": "elderly", "repair": "community", "counselling": "health", "other": "community"}

// categoryNames are the categories' names as records certify them (records are kept in Chinese).
var categoryNames = map[string]string{"meal": "助餐", "cleaning": "助洁", "escort": "陪诊", "shopping": "代购",
	"repair": "维修", "counselling": "心理疏导", "other": "其他服务"}

// Confirm closes a finished request: it becomes a verified service record of the volunteer through
// activity.RecordService, in the same transaction (same policy, same ledger earning, same
// corrections). Confirming again, or concurrently, changes and credits nothing.
// Errors: ErrRequestNotFound (also a wrong access key), ErrCode, ErrWrongStep, and RecordService's.
func (s *Service) Confirm(ctx context.Context, id int64, c Confirmation) (Request, error) {
	via, by := ViaGridWorker, c.By
	switch {
	case c.Access != "":
		if got, ok := s.accessID(c.Access); !ok || got != id {
			return Request{}, ErrRequestNotFound
		}
		if c.By == nil {
			via, by = ViaResident, residentConfirms
		}
	case c.SMSCode != "":
		via, by = ViaSMS, residentConfirms
	case c.By == nil:
		return Request{}, fieldErr("access", "required")
	}
	cur, err := s.Request(ctx, id, Viewer{Resident: true})
	if err != nil {
		return Request{}, err
	}
	if cur.Status == StatusConfirmed {
		return cur, nil
	}
	if cur.Status != StatusFinished {
		return Request{}, ErrWrongStep
	}
	if via == ViaSMS {
		if err := s.useCode(ctx, cur.Phone, purposeConfirm, id, c.SMSCode); err != nil {
			return Request{}, err
		}
	}
	err = s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		var r struct {
			Status     string     `db:"status"`
			Volunteer  int64      `db:"volunteer_id"`
			StartedAt  time.Time  `db:"started_at"`
			FinishedAt *time.Time `db:"finished_at"`
			Note       string     `db:"note"`
		}
		err := tx.GetContext(ctx, &r, `SELECT status, coalesce(volunteer_id, 0) AS volunteer_id,
    coalesce(started_at, created_at) AS started_at, finished_at, finish_note AS note
FROM service_requests WHERE id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		switch r.Status {
		case StatusConfirmed:
			return nil
		case StatusFinished:
		default:
			return ErrWrongStep
		}
		rec, err := s.acts.RecordService(ctx, ltx, activity.ServiceInput{
			Key: "service_request:" + itoa(id), OrgID: cur.OrgID, VolunteerID: r.Volunteer,
			Title: "幸福管家·" + categoryNames[cur.Category], Category: activityCategories[cur.Category],
			Content: categoryNames[cur.Category] + "上门服务", Place: cur.CommunityName, PeopleServed: "居民 1 人",
			StartedAt: r.StartedAt, FinishedAt: *r.FinishedAt, ConfirmedBy: by})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE service_requests SET status = 'confirmed', confirmed_at = $2,
    confirmed_via = $3, confirmed_by = $4, record_id = $5 WHERE id = $1`, id, s.now(), via, by.Label(), rec.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "service_request.confirm",
			Target: "service_request:" + itoa(id), OrgID: cur.OrgID, After: map[string]any{"via": via, "record": rec.ID}})
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, id, Viewer{Resident: true})
}

// The states of a rating's comment: none written, waiting for a coordinator, published, or kept
// back.
const (
	CommentNone      = "none"
	CommentPending   = "pending"
	CommentPublished = "published"
	CommentRejected  = "rejected"
)

// Rating is the resident's evaluation of a confirmed service.
type Rating struct {
	Access  string `json:"access"`
	Stars   int    `json:"rating"`
	Comment string `json:"comment,omitempty"`
}

// Rate records the resident's rating (1–5) and comment of a confirmed service, once; the comment
// waits for a coordinator before anyone else reads it. Rating again the same way changes nothing.
// Errors: ErrInvalid, ErrRequestNotFound, ErrWrongStep, ErrAlreadyRated.
func (s *Service) Rate(ctx context.Context, id int64, r Rating) (Request, error) {
	bad := fields.Set{}
	if r.Stars < 1 || r.Stars > 5 {
		bad["rating"] = "range"
	}
	var reason string
	if r.Comment, reason = (fields.Text{Max: 300, Multiline: true}).Clean(r.Comment); reason != "" {
		bad["comment"] = reason
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return Request{}, err
	}
	if got, ok := s.accessID(r.Access); !ok || got != id {
		return Request{}, ErrRequestNotFound
	}
	status := CommentNone
	if r.Comment != "" {
		status = CommentPending
	}
	var n int64
	res, err := s.db.ExecContext(ctx, `UPDATE service_requests SET rating = $2, rating_comment = $3, comment_status = $4,
    rated_at = $5 WHERE id = $1 AND status = 'confirmed' AND rating IS NULL`, id, r.Stars, r.Comment, status, s.now())
	if n, err = rowsOf(res, err); err != nil {
		return Request{}, err
	}
	cur, err := s.Request(ctx, id, Viewer{Resident: true})
	if err != nil || n == 1 {
		return cur, err
	}
	switch {
	case cur.Status != StatusConfirmed:
		return Request{}, ErrWrongStep
	case cur.Rating != nil && *cur.Rating == r.Stars && cur.RatingComment == r.Comment:
		return cur, nil
	}
	return Request{}, ErrAlreadyRated
}

// Moderate publishes a rating's comment, or keeps it back. Errors: ErrRequestNotFound, ErrWrongStep
// (no comment waits).
func (s *Service) Moderate(ctx context.Context, by *principal.Principal, id int64, publish bool) (Request, error) {
	to := CommentRejected
	if publish {
		to = CommentPublished
	}
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var org int64
		err := tx.GetContext(ctx, &org, `UPDATE service_requests SET comment_status = $2
WHERE id = $1 AND comment_status = 'pending' RETURNING org_id`, id, to)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrWrongStep
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "service_request.moderate",
			Target: "service_request:" + itoa(id), OrgID: org, After: map[string]any{"comment_status": to}})
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, id, Viewer{Coordinator: true})
}

// residentConfirms records a resident's own confirmation: the service, not a person of it, writes
// the record, and the record names the confirmation as its recorder.
var residentConfirms = &principal.Principal{Name: "服务对象确认", Resident: true}
