package certificate

import (
	"context"
	"time"

	"timebank/fields"
)

// Page is one page of the register and where the next one starts.
type Page struct {
	Certificates []Certificate `json:"certificates"`
	// Next is the After of the next page, or 0 when this page is the last.
	Next int64 `json:"next,omitempty"`
}

// MaxPage is the most certificates a page of the register holds.
const MaxPage = 500

// List returns a page of the organization's register (登记): its certificates in the order they
// were issued, after the certificate id after (0 for the first page), at most limit (1–MaxPage),
// records left out.
// Errors: ErrInvalid.
func (s *Service) List(ctx context.Context, orgID, after int64, limit int) (Page, error) {
	if limit < 1 || limit > MaxPage {
		return Page{}, fields.New(ErrInvalid, "limit", "range")
	}
	p := Page{Certificates: []Certificate{}}
	// One more than asked tells whether another page follows.
	err := s.db.SelectContext(ctx, &p.Certificates, `SELECT `+columns+` FROM certificates c
WHERE c.org_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3`, orgID, after, limit+1)
	if err != nil {
		return Page{}, err
	}
	if len(p.Certificates) > limit {
		p.Certificates = p.Certificates[:limit]
		p.Next = p.Certificates[limit-1].ID
	}
	return p, nil
}

// each calls fn with every certificate of the organization's register, page by page.
func (s *Service) each(ctx context.Context, orgID int64, fn func(Certificate) error) error {
	for after := int64(0); ; {
		p, err := s.List(ctx, orgID, after, MaxPage)
		if err != nil {
			return err
		}
		for _, c := range p.Certificates {
			if err := fn(c); err != nil {
				return err
			}
		}
		if p.Next == 0 {
			return nil
		}
		after = p.Next
	}
}

// column is one column of the register's exports: its Chinese header and its value, typed (a
// string, an int64 or a time.Time) so that spreadsheet cells get their type.
type column struct {
	header string
	value  func(Certificate) any
}

// registerColumns are the exports' columns, in order. The mapping is the one place to adjust when
// an upper platform asks for another layout.
var registerColumns = []column{
	{"证明编号", func(c Certificate) any { return c.Number }},
	{"出具日期", func(c Certificate) any { return dateValue(c.IssueDate) }},
	{"姓名", func(c Certificate) any { return c.PersonName }},
	{"志愿者编号", func(c Certificate) any { return c.VolunteerNo }},
	{"证件号码（隐去部分）", func(c Certificate) any { return c.IDMasked }},
	{"起始日期", func(c Certificate) any { return dateValue(c.From) }},
	{"截止日期", func(c Certificate) any { return dateValue(c.To) }},
	{"用途", func(c Certificate) any { return PurposeName(c.Purpose) }},
	{"服务时长（分钟）", func(c Certificate) any { return c.TotalMinutes }},
	{"扫码记录（分钟）", func(c Certificate) any { return c.ScanMinutes }},
	{"补录（分钟）", func(c Certificate) any { return c.ManualMinutes }},
	{"负责人", func(c Certificate) any { return c.ResponsibleName }},
	{"经办人", func(c Certificate) any { return c.HandlerName }},
	{"状态", func(c Certificate) any { return statusName(c.Status) }},
	{"备注", func(c Certificate) any { return c.Notes }},
}

// dateValue is a YYYY-MM-DD day as a time.Time at midnight UTC (a spreadsheet date has no zone),
// or "" for none.
func dateValue(s string) any {
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t
}

// statusName returns a certificate's status in Chinese.
func statusName(status string) string {
	switch status {
	case StatusRevoked:
		return "已撤销"
	case StatusSuperseded:
		return "已被替代"
	}
	return "有效"
}
