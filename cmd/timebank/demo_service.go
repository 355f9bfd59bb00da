package main

import (
	"context"
	"fmt"
	"time"

	"timebank/pkg/app"
	"timebank/pkg/care"
	"timebank/pkg/servicedesk"
)

// demoServiceRequests puts three residents' requests on the team's 幸福管家 desk, so that the
// dispatch queue and the team's ratings have something to show: a 助餐 for 王桂芳 of the care
// registry, asked by the coordinator three hours before, done by 王秀英 (45 minutes), confirmed and rated
// five stars with a published comment; a 助洁 王秀英 has taken for later today; and a 维修 waiting
// for the team. The requests are made on a clock set back, so the finished one lasted its time
// without the demo waiting. Like the rest of the demo it looks for what an earlier run made first.
func demoServiceRequests(ctx context.Context, d *app.Services, world *demoWorld, desk servicedesk.Desk, wang care.Person) error {
	existing, err := d.ServiceDesk.List(ctx, servicedesk.ListQuery{OrgIDs: []int64{world.team.ID}, Limit: 1}, servicedesk.Viewer{Coordinator: true})
	if err != nil || len(existing) > 0 {
		return err
	}
	now := time.Now().Truncate(time.Minute)
	at := now
	desks := servicedesk.NewService(d.DB, d.Ledger, d.Activities, d.Sealed, d.Codes,
		servicedesk.Options{BaseURL: d.Config.BaseURL, Now: func() time.Time { return at }})
	code, err := desks.Code(desk)
	if err != nil {
		return err
	}
	coordinator, err := d.Users.Principal(ctx, world.users["coordinator"].ID)
	if err != nil {
		return err
	}
	volunteer, err := d.Users.Principal(ctx, world.users["volunteer"].ID)
	if err != nil {
		return err
	}
	ask := func(key string, n servicedesk.NewRequest) (servicedesk.Created, error) {
		n.DeskCode = code.Token
		c, err := desks.Create(ctx, coordinator.Actor(), "demo:service:"+key, n)
		if err != nil {
			return c, fmt.Errorf("demo service request %s: %w", key, err)
		}
		return c, nil
	}

	// The 助餐, from the morning to its rating.
	at = now.Add(-3 * time.Hour)
	meal, err := ask("meal", servicedesk.NewRequest{Category: "meal", WantedAt: now.Add(-2 * time.Hour),
		Address: "海宁市硖石街道东山路 18 号 3 单元 502 室", Phone: "13700000101", Note: "老人腿脚不便，请送到家里", CarePersonID: &wang.ID})
	if err != nil {
		return err
	}
	id := meal.Request.ID
	at = now.Add(-170 * time.Minute)
	if _, err := desks.Take(ctx, volunteer.Actor(), id); err != nil {
		return fmt.Errorf("demo service take: %w", err)
	}
	door, err := desks.VisitCode(ctx, id)
	if err != nil {
		return err
	}
	at = now.Add(-2 * time.Hour)
	if _, err := desks.Start(ctx, volunteer.Actor(), id, door.Token); err != nil {
		return fmt.Errorf("demo service start: %w", err)
	}
	at = now.Add(-75 * time.Minute)
	if _, err := desks.Finish(ctx, volunteer.Actor(), id, "午餐已送到，老人精神不错"); err != nil {
		return fmt.Errorf("demo service finish: %w", err)
	}
	at = now.Add(-time.Hour)
	if _, err := desks.Confirm(ctx, id, servicedesk.Confirmation{Access: meal.Access}); err != nil {
		return fmt.Errorf("demo service confirm: %w", err)
	}
	if _, err := desks.Rate(ctx, id, servicedesk.Rating{Access: meal.Access, Stars: 5, Comment: "小王很细心，饭菜送到还是热的"}); err != nil {
		return fmt.Errorf("demo service rating: %w", err)
	}
	if _, err := desks.Moderate(ctx, coordinator.Actor(), id, true); err != nil {
		return fmt.Errorf("demo service comment: %w", err)
	}

	// The 助洁 王秀英 has taken for four hours from now, and the 维修 waiting for the team.
	at = now.Add(-40 * time.Minute)
	cleaning, err := ask("cleaning", servicedesk.NewRequest{Category: "cleaning", WantedAt: now.Add(4 * time.Hour),
		Address: "海宁市硖石街道东山路 26 号 1 单元 201 室", Phone: "13700000102", Note: "帮忙打扫厨房和卫生间"})
	if err != nil {
		return err
	}
	if _, err := desks.Take(ctx, volunteer.Actor(), cleaning.Request.ID); err != nil {
		return fmt.Errorf("demo service take: %w", err)
	}
	at = now.Add(-10 * time.Minute)
	_, err = ask("repair", servicedesk.NewRequest{Category: "repair", WantedAt: now.Add(26 * time.Hour), ForSelf: true,
		Address: "海宁市硖石街道东山路 40 号", Phone: "13700000103", Note: "厨房水龙头漏水"})
	return err
}
