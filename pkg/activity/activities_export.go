package activity

import (
	"context"
	"database/sql"
	"io"
	"time"

	"timebank/pkg/export"
)

// activityExportColumns are the columns of an organization's activities with their attendance: one
// row per attendance, and one for an activity nobody attended.
var activityExportColumns = []export.Column{{Header: "活动编号", Width: 10}, {Header: "活动", Width: 24},
	{Header: "服务类别"}, {Header: "开始时间"}, {Header: "结束时间"}, {Header: "地点", Width: 24},
	{Header: "负责人", Width: 12}, {Header: "活动状态", Width: 10}, {Header: "志愿者编号"}, {Header: "姓名", Width: 10},
	{Header: "记录方式", Width: 10}, {Header: "签到"}, {Header: "签退"}, {Header: "出勤状态", Width: 10},
	{Header: "核实时长（分钟）"}, {Header: "核实时长（小时）"}}

// attendanceStatuses and activityStatuses name an attendance's and an activity's status in the export.
var (
	attendanceStatuses = map[string]string{"open": "已签到", "closed": "待审核", "verified": "已核实", "rejected": "未通过"}
	activityStatuses   = map[string]string{"open": "正常", "cancelled": "已取消"}
)

// ExportOrgActivities writes the organization's activities that start in the period with their
// attendance, in the order they start, row by row as they are read; it returns how many rows.
// Errors: export.ErrFormat, the database's and the writer's.
func (s *Service) ExportOrgActivities(ctx context.Context, orgID int64, p export.Period, f export.Format, w io.Writer) (int, error) {
	const q = `
SELECT a.id, a.title, coalesce(c.name_zh, a.category), a.starts_at, a.ends_at, a.address, a.leader_name, a.status,
       coalesce(u.volunteer_no, ''), coalesce(u.name, ''), coalesce(t.source, ''), t.check_in_at, t.check_out_at,
       coalesce(t.status, ''), r.minutes
FROM activities a
LEFT JOIN activity_categories c ON c.code = a.category
LEFT JOIN attendances t ON t.activity_id = a.id
LEFT JOIN users u ON u.id = t.user_id
LEFT JOIN service_records r ON r.attendance_id = t.id
WHERE a.org_id = $1 AND a.kind = 'activity' AND a.starts_at >= $2 AND a.starts_at < $3
ORDER BY a.starts_at, a.id, t.id`
	export.Estimate(ctx, s.db, q, orgID, p.Start(), p.End())
	rows, err := s.exports.QueryContext(ctx, q, orgID, p.Start(), p.End())
	if err != nil {
		return 0, err
	}
	xw, err := export.New(ctx, f, w, "活动与出勤", activityExportColumns)
	if err != nil {
		rows.Close()
		return 0, err
	}
	return export.FromRows(xw, rows, func(r export.Scanner) ([]any, error) {
		var (
			id                                                             int64
			title, category, place, leader, status, no, name, kind, attend string
			starts, ends                                                   time.Time
			in, out                                                        sql.NullTime
			minutes                                                        sql.NullInt64
		)
		err := r.Scan(&id, &title, &category, &starts, &ends, &place, &leader, &status, &no, &name, &kind,
			&in, &out, &attend, &minutes)
		var mins, hours any
		if minutes.Valid {
			mins, hours = minutes.Int64, export.Hours(minutes.Int64)
		}
		return []any{id, title, category, export.Time(starts), export.Time(ends), place, leader, activityStatuses[status],
			no, name, exportKinds[kind], export.Time(in.Time), export.Time(out.Time), attendanceStatuses[attend], mins, hours}, err
	})
}
