package identity

import (
	"context"
	"database/sql"
	"io"
	"time"

	"timebank/pkg/export"
	"timebank/pkg/replica"
)

// memberColumns are the columns of an organization's members export. The phone number is masked
// and no ID number is given: the volunteer number identifies the person.
var memberColumns = []export.Column{{Header: "志愿者编号"}, {Header: "姓名", Width: 10}, {Header: "手机号（脱敏）"},
	{Header: "角色", Width: 12}, {Header: "公益仓", Width: 20}, {Header: "加入时间"}, {Header: "撤销时间"}}

// roleNames name the roles in the export.
var roleNames = map[string]string{"volunteer": "志愿者", "coordinator": "协调员", "clerk": "公益仓店员",
	"store_manager": "公益仓负责人", "org_admin": "组织管理员", "auditor": "审计员",
	"grid_worker": "网格员", "region_admin": "区域管理员"}

// ExportMembers writes the roles held in the organization and its stores at some time in the
// period (granted before its end, not revoked before its start), oldest first, row by row as they
// are read; it returns how many rows.
// Errors: export.ErrFormat, the database's and the writer's.
func (u *Users) ExportMembers(ctx context.Context, orgID int64, p export.Period, f export.Format, w io.Writer) (int, error) {
	const q = `
SELECT u.volunteer_no, u.name, u.phone, g.role, coalesce(s.name, ''), g.granted_at, g.revoked_at
FROM role_grants g
JOIN users u ON u.id = g.user_id
LEFT JOIN stores s ON s.id = g.store_id
WHERE (g.org_id = $1 OR s.org_id = $1) AND g.granted_at < $3 AND (g.revoked_at IS NULL OR g.revoked_at >= $2)
ORDER BY g.granted_at, g.id`
	export.Estimate(ctx, u.db, q, orgID, p.Start(), p.End())
	rows, err := u.exports.QueryContext(ctx, q, orgID, p.Start(), p.End())
	if err != nil {
		return 0, err
	}
	xw, err := export.New(ctx, f, w, "成员", memberColumns)
	if err != nil {
		rows.Close()
		return 0, err
	}
	return export.FromRows(xw, rows, func(r export.Scanner) ([]any, error) {
		var (
			no, name, phone, role, store string
			granted                      time.Time
			revoked                      sql.NullTime
		)
		err := r.Scan(&no, &name, &phone, &role, &store, &granted, &revoked)
		return []any{no, name, MaskPhone(phone), roleNames[role], store, export.Time(granted), export.Time(revoked.Time)}, err
	})
}

// ReadExportsFrom sends the reads of the members export to r, a replica.Pool.
func (u *Users) ReadExportsFrom(r replica.Reader) { u.exports = r }
