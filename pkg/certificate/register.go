package certificate

import (
	"context"

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
