package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/identity"
)

// occurrence plays one occurrence: sign-ups the day before, scans in and out at their times, hours
// added by hand, forgotten check-outs closed by the rule the worker applies, and the coordinator's
// decisions. Each step is skipped when its result is there already; in particular nobody who has an
// attendance scans again, since a second scan two minutes later would check them out.
func (r *demoActivityRun) occurrence(ctx context.Context, a activity.Activity, o demoOccurrence) error {
	have, err := r.attendances(ctx, a.ID)
	if err != nil {
		return err
	}
	signups := slices.Clone(o.signups)
	for _, at := range o.attend {
		if a.SignupRequired && at.manual == 0 {
			signups = append(signups, at.name)
		}
	}
	for _, name := range signups {
		u, err := r.person(name)
		if err != nil {
			return err
		}
		if _, ok := have[u.ID]; ok {
			continue
		}
		r.clock.at = a.StartsAt.Add(-24 * time.Hour)
		if now := time.Now(); now.Before(r.clock.at) {
			r.clock.at = now
		}
		if _, _, err := r.acts.SignUp(ctx, a.ID, u.ID); err != nil {
			return fmt.Errorf("sign-up of %s: %w", name, err)
		}
	}
	day := activity.DateOf(a.StartsAt)
	for _, at := range o.attend {
		u, err := r.person(at.name)
		if err != nil {
			return err
		}
		if _, ok := have[u.ID]; ok {
			continue
		}
		if at.manual == 0 {
			err = r.scan(ctx, a, u, demoAt(day, at.in), false, at.outside)
		} else {
			r.clock.at = a.EndsAt.Add(time.Hour)
			_, err = r.acts.AddManual(ctx, r.admin, a.ID, activity.ManualHours{VolunteerNo: u.VolunteerNo,
				Minutes: at.manual, Reason: at.reason})
		}
		if err != nil {
			return err
		}
	}
	if err := r.checkOut(ctx, a, o); err != nil {
		return err
	}
	if !o.verify {
		return nil
	}
	return r.decide(ctx, a, o)
}

// checkOut scans out those who left with a check-out time, and closes the attendances of those who
// forgot once the organization's grace after the end has passed.
func (r *demoActivityRun) checkOut(ctx context.Context, a activity.Activity, o demoOccurrence) error {
	have, err := r.attendances(ctx, a.ID)
	if err != nil {
		return err
	}
	forgotten := false
	for _, at := range o.attend {
		u, err := r.person(at.name)
		if err != nil {
			return err
		}
		switch {
		case have[u.ID].Status != activity.StatusOpen:
		case at.out == "":
			forgotten = true
		default:
			if err := r.scan(ctx, a, u, demoAt(activity.DateOf(a.StartsAt), at.out), true, false); err != nil {
				return err
			}
		}
	}
	if !forgotten {
		return nil
	}
	p, err := r.acts.Policy(ctx, a.OrgID)
	if err != nil {
		return err
	}
	if closeAt := p.AutoCloseAt(a.EndsAt); time.Now().After(closeAt) {
		r.clock.at = closeAt.Add(time.Minute)
		if _, err := r.acts.CloseForgotten(ctx, 1000); err != nil {
			return err
		}
	}
	return nil
}

// decide has the coordinator approve the closed attendances in batches of one evaluation, and
// adjust those with minutes of their own, saying why.
func (r *demoActivityRun) decide(ctx context.Context, a activity.Activity, o demoOccurrence) error {
	have, err := r.attendances(ctx, a.ID)
	if err != nil {
		return err
	}
	r.clock.at = time.Time{}
	var evals []string
	batches := map[string][]int64{}
	for _, at := range o.attend {
		u, err := r.person(at.name)
		if err != nil {
			return err
		}
		it, ok := have[u.ID]
		if !ok || it.Status != activity.StatusClosed {
			continue
		}
		if at.adjust > 0 {
			m := at.adjust
			if _, err := r.acts.Verify(ctx, r.coordinator, activity.VerifyRequest{IDs: []int64{it.ID},
				Action: activity.ActionAdjust, Minutes: &m, Reason: at.reason}); err != nil {
				return fmt.Errorf("adjusting %s: %w", at.name, err)
			}
			continue
		}
		if _, ok := batches[at.eval]; !ok {
			evals = append(evals, at.eval)
		}
		batches[at.eval] = append(batches[at.eval], it.ID)
	}
	for _, e := range evals {
		if _, err := r.acts.Verify(ctx, r.coordinator, activity.VerifyRequest{IDs: batches[e],
			Action: activity.ActionApprove, Evaluation: e}); err != nil {
			return fmt.Errorf("approving: %w", err)
		}
	}
	return nil
}

// scan has the volunteer scan the activity's kiosk code (the check-in code, or the check-out code)
// at the given time, from within the activity's area or, when outside, about 1.3 km north of it.
func (r *demoActivityRun) scan(ctx context.Context, a activity.Activity, u identity.User, at time.Time, out, outside bool) error {
	r.clock.at = at
	code, err := r.acts.KioskCode(ctx, a.ID, out)
	if err != nil {
		return err
	}
	sc := activity.Scan{Token: code.Token, ActivityID: a.ID}
	if a.Latitude != nil && a.Longitude != nil {
		sc.Position = &activity.Position{Lat: *a.Latitude + 0.0004, Lng: *a.Longitude - 0.0003}
		if outside {
			sc.Position.Lat += 0.012
		}
	}
	res, err := r.acts.ScanKiosk(ctx, u.ID, sc)
	want := activity.ActionCheckedIn
	if out {
		want = activity.ActionCheckedOut
	}
	if err == nil && res.Action != want {
		err = fmt.Errorf("%s, not %s", res.Action, want)
	}
	if err != nil {
		return fmt.Errorf("scan of %s at %s: %w", u.Name, at.Format(time.TimeOnly), err)
	}
	return nil
}
