package web

import (
	"context"
	"net/url"
	"strconv"
	"testing"

	"timebank/pkg/care"
	who "timebank/pkg/principal"
)

// The change form removes a person's phone or address when its box is ticked (an empty field keeps
// it); a box ticked with a new value typed is refused beside the field and changes nothing. In
// Chinese, then in English.
func TestCarePagesClearPhoneAndAddress(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	p, err := d.Care.Register(ctx, who.Operator(), care.NewPerson{RegionCode: w.regionIn, Categories: []string{"alone"},
		Colour: "red", Name: "陈阿婆", Address: "东山路 8 号", Phone: "13812345678", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	person := "/care/people/" + strconv.FormatInt(p.ID, 10)
	sealed := func() (phone, address bool) {
		t.Helper()
		if err := d.DB.QueryRow(`SELECT phone_sealed IS NOT NULL AND phone_masked IS NOT NULL AND phone_index IS NOT NULL,
    address_sealed IS NOT NULL FROM care_people WHERE id = $1`, p.ID).Scan(&phone, &address); err != nil {
			t.Fatal(err)
		}
		return phone, address
	}
	coord := signedInAs(t, app, coordA)
	r := coord.get(person + "/edit")
	want(t, "the change form", r, 200, `name="clear_phone"`, `name="clear_address"`, "删除手机号", "删除地址")
	inputsLabelled(t, "change", r.body)

	want(t, "a box ticked with a value typed", coord.submit(person, url.Values{"phone": {"13912340000"}, "clear_phone": {"1"},
		"categories": {"alone"}}), 422, `data-testid="error-phone"`, "二选一")
	want(t, "an empty form", coord.submit(person, url.Values{"categories": {"alone"}}), 303)
	if ph, ad := sealed(); !ph || !ad {
		t.Fatalf("empty fields removed the phone (%v) or address (%v)", !ph, !ad)
	}

	want(t, "the phone removed", coord.submit(person, url.Values{"clear_phone": {"1"}, "categories": {"alone"}}), 303)
	if ph, ad := sealed(); ph || !ad {
		t.Fatalf("after removing the phone: phone kept %v, address kept %v", ph, ad)
	}
	want(t, "the person without a phone", coord.get(person+"/edit"), 200, "现为 未登记")

	want(t, "switching to English", coord.submit("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	want(t, "the English form", coord.get(person+"/edit"), 200, "Remove the mobile number", "Remove the address")
	want(t, "an English refusal", coord.submit(person, url.Values{"address": {"西山路 1 号"}, "clear_address": {"1"},
		"categories": {"alone"}}), 422, `data-testid="error-address"`, "not both")
	want(t, "the address removed", coord.submit(person, url.Values{"clear_address": {"1"}, "categories": {"alone"}}), 303)
	if ph, ad := sealed(); ph || ad {
		t.Fatalf("after removing the address: phone kept %v, address kept %v", ph, ad)
	}
}
