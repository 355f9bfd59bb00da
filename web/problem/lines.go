package problem

import (
	"errors"
	"strconv"
	"strings"

	"timebank/pkg/store"
	"timebank/web/i18n"
)

// StoreLines gives the refusal of lines of a request (out of stock, over a limit, a malformed
// quantity …) in the lines' order, so that the problem document says which line (lines[2].qty) and
// why (reason out_of_stock, with its message), and a page can show it beside the line. A single
// refused line is also listed in lines with its item's name, so the message says which goods; a
// donation lists each of several lines with messages of its own (DonationLineMessage). ok is false
// for an error that refuses no line.
func StoreLines(msgs i18n.Messages, lang, slug string, err error) (errs []FieldError, lines []LineProblem, ok bool) {
	var les *store.LineErrors
	if errors.As(err, &les) {
		for _, le := range les.Lines {
			errs = append(errs, FieldError{Field: le.Path(), Reason: le.Reason})
		}
		return errs, nil, true
	}
	var le *store.LineError
	if !errors.As(err, &le) {
		return nil, nil, false
	}
	return []FieldError{{Field: le.Path(), Reason: le.Reason}},
		[]LineProblem{{Line: le.Line, Item: le.Item, Name: le.Name, Field: le.Field, Reason: le.Reason,
			Message: LineMessage(msgs, lang, le.Reason, slug)}}, true
}

// LineMessage is the message beside a line a request was refused for: the reason's message from
// the store's catalogue (reason.out_of_stock …), or the problem's when the reason has none.
func LineMessage(msgs i18n.Messages, lang, reason, slug string) string {
	if m := msgs.Get(lang, "reason."+reason); m != "reason."+reason {
		return m
	}
	return msgs.Get(lang, "problem."+slug)
}

// DonationLineMessage is the message of a refused line of a donation: the reason, and for food
// with too little shelf life left its best-before date and the share the store's policy asks for.
func DonationLineMessage(msgs i18n.Messages, lang string, le *store.LineError, lines []store.DonationLine, p store.Policy, slug string) string {
	if le.Reason != store.ReasonShelfLife || le.Line < 0 || le.Line >= len(lines) {
		return LineMessage(msgs, lang, le.Reason, slug)
	}
	return strings.NewReplacer("{date}", lines[le.Line].BestBefore, "{percent}", strconv.Itoa(p.MinShelfLifePercent),
		"{days}", strconv.Itoa(p.MinShelfLifeDays)).Replace(msgs.Get(lang, "detail.shelf_life_short"))
}
