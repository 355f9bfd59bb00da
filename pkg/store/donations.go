package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pgerr"
	"timebank/pkg/chinatime"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
)

// The kinds of donor. An anonymous donation keeps no name and no phone number.
const (
	DonorResident     = "resident"
	DonorMerchant     = "merchant"
	DonorOrganization = "organization"
	DonorAnonymous    = "anonymous"
)

// Donor is who gave the goods, as the clerk records it. Name and phone are optional: the phone is
// kept only masked (138****5678), enough to tell two donors apart on an acknowledgement, not to
// call them.
type Donor struct {
	Kind  string `json:"kind"`
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// DonationLine is one kind of goods in a donation.
type DonationLine struct {
	Item       int64  `json:"item"`
	Qty        int    `json:"qty"`
	BestBefore string `json:"best_before,omitempty"` // "2006-01-02"; required for food
	ProducedOn string `json:"produced_on,omitempty"` // "2006-01-02"; lets short-lived food pass the shelf-life share
	ValueFen   int64  `json:"value_fen,omitempty"`   // estimated value of the whole line, in fen (0.01 yuan)
}

// NewDonation is what a clerk records when goods are handed in.
type NewDonation struct {
	Donor Donor          `json:"donor"`
	Lines []DonationLine `json:"lines"`
	Note  string         `json:"note,omitempty"`
}

// MaxLines is the most lines one donation, order or sale may have.
const MaxLines = 50

// validate checks the request, trims its text and masks the phone number; it leaves to the
// condition check what needs the items and the policy.
func (n *NewDonation) validate() error {
	bad := fields.Set{}
	var reason string
	switch n.Donor.Kind {
	case DonorResident, DonorMerchant, DonorOrganization:
		if n.Donor.Name, reason = (fields.Text{Max: 100}).Clean(n.Donor.Name); reason != "" {
			bad["donor.name"] = reason
		}
	case DonorAnonymous:
		if n.Donor.Name != "" {
			bad["donor.name"] = "anonymous_with_contact"
		}
		if n.Donor.Phone != "" {
			bad["donor.phone"] = "anonymous_with_contact"
		}
	case "":
		bad["donor.kind"] = "required"
	default:
		bad["donor.kind"] = "unknown"
	}
	if n.Donor.Phone != "" && n.Donor.Kind != DonorAnonymous {
		p, err := identity.NormalizePhone(n.Donor.Phone)
		if err != nil {
			bad["donor.phone"] = "phone_invalid"
		}
		n.Donor.Phone = identity.MaskPhone(p)
	}
	if n.Note, reason = (fields.Text{Max: 500}).Clean(n.Note); reason != "" {
		bad["note"] = reason
	}
	switch {
	case len(n.Lines) == 0:
		bad["lines"] = "required"
	case len(n.Lines) > MaxLines:
		bad["lines"] = "too_many"
	}
	for i, l := range n.Lines {
		f := fmt.Sprintf("lines[%d].", i)
		if l.Item <= 0 {
			bad[f+"item"] = "required"
		}
		if l.Qty < 1 || l.Qty > 100000 {
			bad[f+"qty"] = "range"
		}
		if l.ValueFen < 0 || l.ValueFen > 100_000_000 {
			bad[f+"value_fen"] = "range"
		}
		bb, bbOK := parseDay(l.BestBefore)
		if l.BestBefore != "" && !bbOK {
			bad[f+"best_before"] = "day_format"
		}
		if l.ProducedOn != "" {
			po, ok := parseDay(l.ProducedOn)
			switch {
			case !ok:
				bad[f+"produced_on"] = "day_format"
			case bbOK && !po.Before(bb):
				bad[f+"produced_on"] = "produced_after_best_before"
			}
		}
	}
	return bad.Err(ErrInvalid)
}

// checkCondition refuses lines that are past their date, food without a date, food with too
// little shelf life left and food produced in the future (a typing mistake), every such line at
// once. Lines whose item the store does not have are left out: missing names them.
func checkCondition(p Policy, now time.Time, lines []DonationLine, items map[int64]Item, missing []*LineError) error {
	day := today(now)
	refused := slices.Clone(missing)
	future := fields.Set{}
	refuse := func(i int, it Item, reason string) {
		refused = append(refused, &LineError{Err: ErrDonationRefused, Line: i, Item: it.ID, Name: it.Name, Field: "best_before", Reason: reason})
	}
	for i, l := range lines {
		it, ok := items[l.Item]
		if !ok {
			continue
		}
		bb, _ := parseDay(l.BestBefore)
		po, _ := parseDay(l.ProducedOn)
		switch {
		case l.BestBefore != "" && bb.Before(day):
			refuse(i, it, ReasonPastDate)
		case !IsFood(it.Category):
		case l.BestBefore == "":
			refuse(i, it, ReasonBestBeforeRequired)
		case l.ProducedOn != "" && po.After(day):
			future[fmt.Sprintf("lines[%d].produced_on", i)] = "produced_in_future"
		case !p.ShelfLifeOK(day, bb, po):
			refuse(i, it, ReasonShelfLife)
		}
	}
	if err := future.Err(ErrInvalid); err != nil {
		return err // a typing mistake is a malformed request, told before any refusal
	}
	return lineErrors(refused)
}

// RecordDonation records goods handed in: the donation with the next acknowledgement number of the
// store's series for the year, and a lot of stock received for each line. key is the caller's
// idempotency key: the same key with the same donation returns the first (Replayed set).
// Every refused line is named at once: malformed lines, unknown items and failed condition checks
// come as one *LineErrors (ErrInvalid when a line is malformed, ErrItemNotFound when every refused
// line is an unknown item, ErrDonationRefused otherwise), and nothing is written.
// Errors: ErrInvalid (*fields.Error, or *LineErrors when only lines are malformed),
// ErrStoreNotFound, ErrItemNotFound (*LineErrors),
// ErrDonationRefused (*LineErrors), ErrIdempotencyConflict.
func (s *Service) RecordDonation(ctx context.Context, actor *principal.Principal, storeID int64, key string, n NewDonation) (Acknowledgement, error) {
	if err := needActor(actor); err != nil {
		return Acknowledgement{}, err
	}
	if err := checkKey(key); err != nil {
		return Acknowledgement{}, err
	}
	if err := n.validate(); err != nil {
		return Acknowledgement{}, s.withRefusedLines(ctx, storeID, n, err)
	}
	hash := requestHash("donation", struct {
		Store int64
		N     NewDonation
	}{storeID, n})
	if id, err := s.replayed(ctx, "store_donations", actor.Label(), key, hash); err != nil || id != 0 {
		return s.replayDonation(ctx, storeID, id, err)
	}
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		id, err = s.insertDonation(ctx, tx, actor, storeID, key, hash, n)
		return err
	})
	if pgerr.Unique(err, "store_donations_idempotency") {
		// A concurrent request with the same key won; its number stands and this one used none.
		id, err = s.replayed(ctx, "store_donations", actor.Label(), key, hash)
		return s.replayDonation(ctx, storeID, id, err)
	}
	if err != nil {
		return Acknowledgement{}, err
	}
	return s.Acknowledgement(ctx, storeID, id)
}

// withRefusedLines adds to a malformed donation whose faults are all in its lines (a quantity out
// of range, a malformed date …) the lines the condition check refuses, so that the clerk learns of
// every bad line at once: a *LineErrors wrapping ErrInvalid. A fault outside the lines (the donor,
// no lines at all), or an unknown store, leaves err as it is.
func (s *Service) withRefusedLines(ctx context.Context, storeID int64, n NewDonation, err error) error {
	var ve *fields.Error
	if !errors.As(err, &ve) {
		return err
	}
	var refused []*LineError
	wellFormed := slices.Clone(n.Lines)
	for path, reason := range ve.Fields() {
		var i int
		_, field, ok := strings.Cut(path, ".")
		if _, serr := fmt.Sscanf(path, "lines[%d].", &i); serr != nil || !ok || i < 0 || i >= len(n.Lines) {
			return err
		}
		refused = append(refused, &LineError{Err: ErrInvalid, Line: i, Item: n.Lines[i].Item, Field: field, Reason: reason})
		wellFormed[i] = DonationLine{} // item 0: no item, left out of the condition check
	}
	if _, serr := s.storeInfo(ctx, s.db, storeID); serr != nil {
		return err
	}
	ids := make([]int64, 0, len(n.Lines))
	for _, l := range n.Lines {
		ids = append(ids, l.Item)
	}
	items, ierr := s.itemsWithIDs(ctx, s.db, storeID, ids)
	if ierr != nil {
		return err
	}
	p, perr := s.policy(ctx, s.db, storeID)
	if perr != nil {
		return err
	}
	var missing []*LineError
	for _, m := range missingItems(ids, items) {
		if wellFormed[m.Line].Item != 0 {
			missing = append(missing, m)
		}
	}
	var les *LineErrors
	switch cerr := checkCondition(p, s.now(), wellFormed, items, missing); {
	case errors.As(cerr, &les):
		refused = append(refused, les.Lines...)
	case cerr != nil:
		return err // a date typed in the future: told with the other malformed fields first
	}
	for _, l := range refused {
		l.Name = items[l.Item].Name
	}
	slices.SortStableFunc(refused, func(a, b *LineError) int { return cmp.Or(a.Line-b.Line, strings.Compare(a.Field, b.Field)) })
	return &LineErrors{Err: ErrInvalid, Lines: refused}
}

func (s *Service) replayDonation(ctx context.Context, storeID, id int64, err error) (Acknowledgement, error) {
	if err != nil {
		return Acknowledgement{}, err
	}
	a, err := s.Acknowledgement(ctx, storeID, id)
	a.Replayed = true
	return a, err
}

func (s *Service) insertDonation(ctx context.Context, tx *sqlx.Tx, actor *principal.Principal, storeID int64, key string, hash []byte, n NewDonation) (int64, error) {
	if _, err := s.storeInfo(ctx, tx, storeID); err != nil {
		return 0, err
	}
	ids := make([]int64, len(n.Lines))
	var total int64
	for i, l := range n.Lines {
		ids[i] = l.Item
		total += l.ValueFen
	}
	items, err := s.itemsWithIDs(ctx, tx, storeID, ids)
	if err != nil {
		return 0, err
	}
	p, err := s.policy(ctx, tx, storeID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	if err := checkCondition(p, now, n.Lines, items, missingItems(ids, items)); err != nil {
		return 0, err
	}
	// The next number of the series: the counter row stays locked until commit, and a rollback
	// gives the number back, so the series has no gaps.
	year := now.In(chinatime.Zone()).Year()
	var seq int
	err = tx.GetContext(ctx, &seq, `
INSERT INTO store_ack_counters (store_id, year, last) VALUES ($1, $2, 1)
ON CONFLICT (store_id, year) DO UPDATE SET last = store_ack_counters.last + 1 RETURNING last`, storeID, year)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.GetContext(ctx, &id, `
INSERT INTO store_donations (store_id, year, seq, number, donor_kind, donor_name, donor_phone_masked, note,
    total_value_fen, handler, handler_name, idem_scope, idem_key, request_hash, received_at)
VALUES ($1, $2, $3, $4, $5, nullif($6, ''), nullif($7, ''), $8, $9, $10, $11, $10, $12, $13, $14) RETURNING id`,
		storeID, year, seq, AckNumber(storeID, year, seq), n.Donor.Kind, n.Donor.Name, n.Donor.Phone, n.Note,
		total, actor.Label(), handlerName(actor), key, hash, now)
	if err != nil {
		return 0, err
	}
	ms := make([]move, len(n.Lines))
	for i, l := range n.Lines {
		lot, err := newLot(ctx, tx, storeID, l.Item, l.BestBefore, "donation", &id)
		if err != nil {
			return 0, err
		}
		_, err = tx.ExecContext(ctx, `
INSERT INTO store_donation_lines (donation_id, line, item_id, qty, best_before, produced_on, value_fen, lot_id)
VALUES ($1, $2, $3, $4, nullif($5, '')::date, nullif($6, '')::date, $7, $8)`,
			id, i, l.Item, l.Qty, l.BestBefore, l.ProducedOn, l.ValueFen, lot)
		if err != nil {
			return 0, err
		}
		ms[i] = move{lot: lot, kind: MoveReceived, onHand: l.Qty}
	}
	_, err = s.appendMovements(ctx, tx, ref("donation", id), actor.Label(), s.now(), ms)
	return id, err
}

// handlerName is the name printed as the donation's handler: the clerk's, or the device's label.
func handlerName(a *principal.Principal) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Label()
}
