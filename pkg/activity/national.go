package activity

import (
	"context"
	"io"

	"timebank/pkg/export"
)

// NationalField is one column of the export in the fields of 《志愿服务信息系统基本规范》
// (民政部 2015): the column's header as the national platform names it, and which fact of a
// service record fills it.
type NationalField struct {
	Header string
	Cell   func(*OrgRecord) any
}

// NationalFields is the one place the national export's columns are set, in order. The national
// platform publishes no upload format, so this mapping is kept here to be adjusted when it does:
// rename a header, reorder, add or drop a line. The person is identified by the volunteer number,
// never by an ID number. The README lists the same mapping; keep both in step.
var NationalFields = []NationalField{
	{"志愿者编号", func(r *OrgRecord) any { return r.VolunteerNo }},
	{"志愿者姓名", func(r *OrgRecord) any { return r.Name }},
	{"志愿服务项目名称", func(r *OrgRecord) any { return r.ActivityTitle }},
	{"项目编号", func(r *OrgRecord) any { return r.ActivityID }},
	{"服务类别", func(r *OrgRecord) any { return r.Category }},
	{"服务内容", func(r *OrgRecord) any { return r.Content }},
	{"服务地点", func(r *OrgRecord) any { return r.Place }},
	{"服务开始时间", func(r *OrgRecord) any { return export.Time(r.From) }},
	{"服务结束时间", func(r *OrgRecord) any { return export.Time(r.To) }},
	{"服务日期", func(r *OrgRecord) any { return export.Date(r.ServiceDate) }},
	{"服务时长（小时）", func(r *OrgRecord) any { return export.Hours(r.Minutes) }},
	{"记录方式", func(r *OrgRecord) any { return exportKinds[r.Kind] }},
	{"志愿服务组织名称", func(r *OrgRecord) any { return r.OrgName }},
	{"统一社会信用代码", func(r *OrgRecord) any { return r.OrgCode }},
	{"记录编号", func(r *OrgRecord) any { return r.ID }},
}

// ExportNational writes the organization's service records of the period in the national fields
// (NationalFields), row by row as they are read, and returns how many it wrote.
// Errors: export.ErrFormat, the database's and the writer's.
func (s *Service) ExportNational(ctx context.Context, orgID int64, p export.Period, f export.Format, w io.Writer) (int, error) {
	cols := make([]export.Column, len(NationalFields))
	for i, nf := range NationalFields {
		cols[i] = export.Column{Header: nf.Header}
	}
	return s.exportOrgRecords(ctx, orgID, p, f, w, "志愿服务记录", cols, func(r *OrgRecord, cells []any) {
		for i, nf := range NationalFields {
			cells[i] = nf.Cell(r)
		}
	})
}
