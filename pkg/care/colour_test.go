package care_test

import (
	"context"
	"errors"
	"testing"

	"github.com/lib/pq"

	"timebank/fields"
	"timebank/pkg/access"
	"timebank/pkg/care"
)

func grantCoordinator(orgID int64) access.Grant {
	return access.Grant{Role: access.Coordinator, Kind: access.Org, OrgID: orgID}
}

// Colour changes are kept with who and why; the history refuses UPDATE, DELETE and TRUNCATE.
func TestColourHistoryIsAppendOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.register(t, "王小芳", "", care.Green)
	coord := e.person(t, "协调员", grantCoordinator(e.inOrg))
	if _, err := e.svc.ChangeColour(ctx, coord.Actor(), p.ID, care.ColourRequest{Colour: care.Red, Reason: "独居且近期摔倒"}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.ChangeColour(ctx, coord.Actor(), p.ID, care.ColourRequest{Colour: care.Red, Reason: "again"})
	var fe *fields.Error
	if !errors.As(err, &fe) || fe.Reason("colour") != "unchanged" {
		t.Fatalf("unchanged colour: %v", err)
	}
	if _, err := e.svc.ChangeColour(ctx, coord.Actor(), p.ID, care.ColourRequest{Colour: care.Yellow}); !errors.Is(err, care.ErrInvalid) {
		t.Fatalf("no reason: %v", err)
	}
	if _, err := e.svc.ChangeColour(ctx, coord.Actor(), p.ID, care.ColourRequest{Colour: care.Yellow, Reason: "康复"}); err != nil {
		t.Fatal(err)
	}
	h, err := e.svc.ColourHistory(ctx, p.ID)
	if err != nil || len(h) != 3 {
		t.Fatalf("history %+v, %v", h, err)
	}
	if h[0].FromColour != nil || h[0].ToColour != care.Green || *h[1].FromColour != care.Green || h[1].ToColour != care.Red ||
		h[1].Reason != "独居且近期摔倒" || h[1].ChangedBy != coord.Label() || h[2].ToColour != care.Yellow {
		t.Fatalf("history %+v", h)
	}
	if got, _ := e.svc.Person(ctx, p.ID); got.Colour != care.Yellow {
		t.Fatalf("colour now %s", got.Colour)
	}
	for _, stmt := range []string{`UPDATE care_colour_changes SET reason = 'x'`, `DELETE FROM care_colour_changes`,
		`TRUNCATE care_colour_changes CASCADE`} {
		_, err := e.db.Exec(stmt)
		var pe *pq.Error
		if !errors.As(err, &pe) || pe.Code != "TB301" {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	if h2, _ := e.svc.ColourHistory(ctx, p.ID); len(h2) != 3 || h2[1].Reason != "独居且近期摔倒" {
		t.Fatalf("history changed: %+v", h2)
	}
}

// Each colour's frequency comes from the nearest region that sets it, else the default.
func TestFrequencyInheritsFromRegionsAbove(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	three, fourteen := 3, 14
	if _, err := e.svc.SetFrequency(ctx, operator, street, care.FrequencySetting{Red: &three}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetFrequency(ctx, operator, dongshan, care.FrequencySetting{Yellow: &fourteen}); err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.Frequency(ctx, dongshan)
	if err != nil || v.Effective != (care.Frequency{Red: 3, Yellow: 14, Green: 90}) || v.Own.Red != nil || *v.Own.Yellow != 14 {
		t.Fatalf("东山社区 %+v, %v", v, err)
	}
	if v, _ := e.svc.Frequency(ctx, xishan); v.Effective != (care.Frequency{Red: 3, Yellow: 30, Green: 90}) {
		t.Fatalf("西山社区 %+v", v)
	}
	if v, _ := e.svc.Frequency(ctx, wutongCom); v.Effective != care.DefaultFrequency {
		t.Fatalf("梧桐社区 %+v", v)
	}
	zero := 0
	if _, err := e.svc.SetFrequency(ctx, operator, dongshan, care.FrequencySetting{Red: &zero}); !errors.Is(err, care.ErrInvalid) {
		t.Fatalf("0 days: %v", err)
	}
}
