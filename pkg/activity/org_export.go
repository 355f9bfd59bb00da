package activity

import (
	"context"
	"io"
	"time"

	"timebank/pkg/export"
	"timebank/pkg/replica"
)

// OrgRecord is one service record of an organization as its exports read it: the record's
// certified facts, the volunteer (by volunteer number and name, never an ID number) and the times
// of the attendance behind it (for a record entered afterwards, the activity's).
type OrgRecord struct {
	ID            int64
	ServiceDate   time.Time
	VolunteerNo   string
	Name          string
	ActivityID    int64
	ActivityTitle string
	Category      string // its Chinese name
	Content       string
	Place         string
	Kind          string // scan or manual
	Status        string // verified or disputed
	From, To      time.Time
	Minutes       int64
	Credits       int64
	OrgName       string
	OrgCode       string // the organization's unified social credit code, or "" when it is filed
	LeaderName    string
	RecorderName  string
}

// eachOrgRecord calls fn with every service record of the organization in the period, in date
// order, reading them with one cursor: the rows come from PostgreSQL as fn takes them.
func (s *Service) eachOrgRecord(ctx context.Context, orgID int64, p export.Period, fn func(*OrgRecord) error) error {
	const q = `
SELECT r.id, r.service_date, u.volunteer_no, u.name, r.activity_id, r.activity_title,
       coalesce(c.name_zh, r.category), r.content, r.place, r.kind, r.status,
       coalesce(a.check_in_at, ac.starts_at), coalesce(a.check_out_at, ac.ends_at), r.minutes, r.credits,
       r.org_name, coalesce(o.credit_code, ''), r.leader_name, r.recorder_name
FROM service_records r
JOIN users u ON u.id = r.user_id
JOIN attendances a ON a.id = r.attendance_id
JOIN activities ac ON ac.id = r.activity_id
JOIN organizations o ON o.id = r.org_id
LEFT JOIN activity_categories c ON c.code = r.category
WHERE r.org_id = $1 AND r.service_date BETWEEN $2::date AND $3::date
ORDER BY r.service_date, r.id`
	export.Estimate(ctx, s.db, q, orgID, p.FirstDay(), p.LastDay())
	rows, err := s.exports.QueryContext(ctx, q, orgID, p.FirstDay(), p.LastDay())
	if err != nil {
		return err
	}
	defer rows.Close()
	var r OrgRecord
	for rows.Next() {
		if err := rows.Scan(&r.ID, &r.ServiceDate, &r.VolunteerNo, &r.Name, &r.ActivityID, &r.ActivityTitle,
			&r.Category, &r.Content, &r.Place, &r.Kind, &r.Status, &r.From, &r.To, &r.Minutes, &r.Credits,
			&r.OrgName, &r.OrgCode, &r.LeaderName, &r.RecorderName); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// orgRecordColumns are the columns of an organization's records export, each with its cell.
var orgRecordColumns = []struct {
	export.Column
	cell func(*OrgRecord) any
}{
	{export.Column{Header: "记录编号", Width: 10}, func(r *OrgRecord) any { return r.ID }},
	{export.Column{Header: "服务日期", Width: 12}, func(r *OrgRecord) any { return export.Date(r.ServiceDate) }},
	{export.Column{Header: "志愿者编号"}, func(r *OrgRecord) any { return r.VolunteerNo }},
	{export.Column{Header: "姓名", Width: 10}, func(r *OrgRecord) any { return r.Name }},
	{export.Column{Header: "活动", Width: 24}, func(r *OrgRecord) any { return r.ActivityTitle }},
	{export.Column{Header: "服务类别"}, func(r *OrgRecord) any { return r.Category }},
	{export.Column{Header: "服务地点", Width: 24}, func(r *OrgRecord) any { return r.Place }},
	{export.Column{Header: "记录方式", Width: 10}, func(r *OrgRecord) any { return exportKinds[r.Kind] }},
	{export.Column{Header: "状态", Width: 10}, func(r *OrgRecord) any { return exportStatuses[r.Status] }},
	{export.Column{Header: "开始时间"}, func(r *OrgRecord) any { return export.Time(r.From) }},
	{export.Column{Header: "结束时间"}, func(r *OrgRecord) any { return export.Time(r.To) }},
	{export.Column{Header: "服务时长（分钟）"}, func(r *OrgRecord) any { return r.Minutes }},
	{export.Column{Header: "服务时长（小时）"}, func(r *OrgRecord) any { return export.Hours(r.Minutes) }},
	{export.Column{Header: "时间币（分钟）"}, func(r *OrgRecord) any { return r.Credits }},
	{export.Column{Header: "活动负责人", Width: 12}, func(r *OrgRecord) any { return r.LeaderName }},
	{export.Column{Header: "记录人", Width: 12}, func(r *OrgRecord) any { return r.RecorderName }},
}

// ExportOrgRecords writes the organization's service records of the period in the format, row by
// row as they are read, and returns how many it wrote.
// Errors: export.ErrFormat, the database's and the writer's.
func (s *Service) ExportOrgRecords(ctx context.Context, orgID int64, p export.Period, f export.Format, w io.Writer) (int, error) {
	cols := make([]export.Column, len(orgRecordColumns))
	for i, c := range orgRecordColumns {
		cols[i] = c.Column
	}
	return s.exportOrgRecords(ctx, orgID, p, f, w, "服务记录", cols, func(r *OrgRecord, cells []any) {
		for i, c := range orgRecordColumns {
			cells[i] = c.cell(r)
		}
	})
}

// exportOrgRecords writes the records with the columns, fill setting each row's cells.
func (s *Service) exportOrgRecords(ctx context.Context, orgID int64, p export.Period, f export.Format, w io.Writer,
	sheet string, cols []export.Column, fill func(*OrgRecord, []any)) (int, error) {
	xw, err := export.New(ctx, f, w, sheet, cols)
	if err != nil {
		return 0, err
	}
	defer xw.Discard()
	cells := make([]any, len(cols))
	err = s.eachOrgRecord(ctx, orgID, p, func(r *OrgRecord) error {
		fill(r, cells)
		return xw.Row(cells...)
	})
	if err != nil {
		return xw.Rows(), err
	}
	return xw.Rows(), xw.Close()
}

// ReadExportsFrom sends the reads of an organization's exports (its records and its activities of a
// period) to r, a replica.Pool. A volunteer's own records and statement stay on the primary: they
// are read right after the check-in or the order that changed them.
func (s *Service) ReadExportsFrom(r replica.Reader) { s.exports = r }
