package roster

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/access"
	"timebank/pkg/audit"
	"timebank/pkg/identity"
	"timebank/pkg/txn"
)

// Report is what an import found in a file and, unless it was a dry run, did.
type Report struct {
	Format   string     `json:"format"`
	Encoding string     `json:"encoding,omitempty"`
	Rows     int        `json:"rows"`     // non-empty data rows
	New      int        `json:"new"`      // volunteers not registered yet: created (or to be)
	Existing int        `json:"existing"` // already registered: they join the organization
	Errors   []RowError `json:"errors"`   // every bad row; any at all and nothing is imported
	Imported bool       `json:"imported"` // false for a dry run or a file with errors
}

// Importer writes a roster into the service: one volunteer team's list at a time.
type Importer struct {
	db    *sqlx.DB
	users *identity.Users
}

// NewImporter returns an importer creating users through the user store.
func NewImporter(db *sqlx.DB, users *identity.Users) *Importer {
	return &Importer{db: db, users: users}
}

// Import reads the file and, unless dryRun, makes every volunteer on it a volunteer of the
// organization: people not registered yet get a user (without a password, until they register the
// number themselves), people already registered keep theirs. It is all or nothing: a file with any
// bad row imports nobody, and the report lists every bad row with its line, column and reason.
// A row whose resident ID belongs to another person's account is a bad row ("resident_id_taken").
// Errors: a *FileError when the file as a whole cannot be used; identity.ErrPhoneTaken or
// ErrResidentIDTaken when someone registered one of the numbers while the import ran.
func (im *Importer) Import(ctx context.Context, ch identity.Change, orgID int64, r io.Reader, filename string, dryRun bool) (Report, error) {
	res, err := Parse(r, filename, time.Now())
	if err != nil {
		return Report{}, err
	}
	rep := Report{Format: res.Format, Encoding: res.Encoding, Rows: res.Rows, Errors: res.Errors}
	phones := make([]string, 0, len(res.Volunteers))
	var ids []string
	for _, v := range res.Volunteers {
		phones = append(phones, v.Phone)
		if v.ResidentID != "" {
			ids = append(ids, v.ResidentID)
		}
	}
	byPhone, byID, err := im.users.Known(ctx, phones, ids)
	if err != nil {
		return Report{}, err
	}
	var fresh []Volunteer
	for _, v := range res.Volunteers {
		owner, idKnown := byID[v.ResidentID]
		userID, phoneKnown := byPhone[v.Phone]
		switch {
		case v.ResidentID != "" && idKnown && (!phoneKnown || owner != userID):
			rep.Errors = append(rep.Errors, takenError(v))
		case phoneKnown:
			rep.Existing++
		default:
			rep.New++
			fresh = append(fresh, v)
		}
	}
	if dryRun || len(rep.Errors) > 0 {
		if rep.Errors == nil {
			rep.Errors = []RowError{}
		}
		return rep, nil
	}
	regs := make([]identity.Registration, len(fresh))
	for i, v := range fresh {
		regs[i] = identity.Registration{Phone: v.Phone, Name: v.Name, ResidentID: v.ResidentID}
	}
	var members []int64
	err = txn.Run(ctx, im.db, func(tx *sqlx.Tx) (err error) {
		if members, err = im.users.ImportTx(ctx, tx, regs); err != nil {
			return err
		}
		for _, uid := range byPhone {
			members = append(members, uid)
		}
		joined, err := im.users.GrantManyTx(ctx, tx, ch, members, access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: orgID})
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: ch.Actor.Label(), Action: "roster.import", Target: "org:" + itoa(orgID),
			OrgID: orgID, RequestID: ch.RequestID, After: map[string]any{"rows": rep.Rows, "new": rep.New, "existing": rep.Existing, "joined": joined}})
	})
	if err != nil {
		return Report{}, err
	}
	im.users.PrincipalsChanged(ctx, members...)
	rep.Imported, rep.Errors = true, []RowError{}
	return rep, nil
}

// takenError is the bad row of a volunteer whose resident ID belongs to another account.
func takenError(v Volunteer) RowError {
	e := RowError{Line: v.Line, Column: "身份证号", Reason: "resident_id_taken"}
	e.Message = rowText(e, false)
	return e
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
