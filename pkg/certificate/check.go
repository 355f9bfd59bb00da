package certificate

import (
	"bytes"
	"context"
	"database/sql"
	"errors"

	"timebank/ledger"
)

// PublicCheck is what anyone who scans a certificate's code is told: whether it is genuine, whether
// it is still in force, and the few facts needed to compare it with the paper (the name masked).
type PublicCheck struct {
	Genuine    bool   `json:"genuine"`
	Status     string `json:"status,omitempty"` // issued, revoked or superseded
	Revoked    bool   `json:"revoked"`
	Superseded bool   `json:"superseded"`
	ReplacedBy string `json:"replaced_by,omitempty"` // the number of the certificate that replaced it
	// ReplacedByCode is the verification code of the certificate that replaced it, so that the check
	// of the old one leads to the new one.
	ReplacedByCode string `json:"replaced_by_code,omitempty"`
	Reason         string `json:"reason,omitempty"` // why it was revoked, as the register keeps it
	Number         string `json:"number,omitempty"`
	OrgName        string `json:"org_name,omitempty"`
	MaskedName     string `json:"masked_name,omitempty"`
	IDMasked       string `json:"id_masked,omitempty"` // as printed: 3301**********123X, "" when none was given
	From           string `json:"from,omitempty"`      // the period certified, YYYY-MM-DD; none: the whole history
	To             string `json:"to,omitempty"`
	TotalMinutes   int64  `json:"total_minutes,omitempty"`
	Hours          string `json:"hours,omitempty"` // TotalMinutes as hours, up to two decimals
	IssueDate      string `json:"issue_date,omitempty"`
}

// Check checks a verification code against its signature and the register. A code is genuine when
// its signature holds under a published key and the register holds the certificate it names with
// the same organization, issue date, hours, number and masked name; anything else answers
// Genuine false and nothing more. The status tells whether it was revoked or superseded since.
// Errors: none for a code that is not genuine; database errors only.
func (s *Service) Check(ctx context.Context, token string) (PublicCheck, error) {
	sg, err := s.signerOf(ctx, s.db)
	if err != nil {
		return PublicCheck{}, err
	}
	claims, err := sg.Verify(token)
	if err != nil {
		return PublicCheck{}, nil
	}
	var row struct {
		Certificate
		ReplacedBy     *string `db:"replaced_by"`
		ReplacedByCode *string `db:"replaced_by_code"`
	}
	err = s.db.GetContext(ctx, &row, `SELECT `+columns+`, n.number AS replaced_by, n.token AS replaced_by_code
FROM certificates c
LEFT JOIN certificates n ON n.id = c.superseded_by WHERE c.id = $1`, claims.CertificateID)
	if errors.Is(err, sql.ErrNoRows) {
		return PublicCheck{}, nil
	} else if err != nil {
		return PublicCheck{}, err
	}
	c := row.Certificate
	if c.OrgID != claims.OrgID || c.IssueDate != claims.IssueDate || c.TotalMinutes != claims.TotalMinutes ||
		c.KeyID != claims.KeyID || c.Token != token || !bytes.Equal(Digest(c.Number, c.MaskedName()), claims.Digest) {
		return PublicCheck{}, nil
	}
	pc := PublicCheck{Genuine: true, Status: c.Status, Revoked: c.Status == StatusRevoked,
		Superseded: c.Status == StatusSuperseded, Number: c.Number, OrgName: c.OrgName, MaskedName: c.MaskedName(),
		IDMasked: c.IDMasked, From: c.From, To: c.To, TotalMinutes: c.TotalMinutes, Hours: ledger.FormatHours(c.TotalMinutes), IssueDate: c.IssueDate}
	if row.ReplacedBy != nil && row.ReplacedByCode != nil {
		pc.ReplacedBy, pc.ReplacedByCode = *row.ReplacedBy, *row.ReplacedByCode
	}
	if pc.Revoked && c.StatusReason != nil {
		pc.Reason = *c.StatusReason
	}
	return pc, nil
}
