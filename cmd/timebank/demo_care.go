package main

import (
	"context"
	"fmt"

	"timebank/pkg/app"
	"timebank/pkg/care"
	"timebank/pkg/servicedesk"
)

// demoCare opens the team's 幸福管家 desk in 东山社区 with three residents' requests on it, and puts
// three people on its care board, one of each colour, with the first volunteer paired with the one
// followed most closely. Like the rest of the demo it looks for what an earlier run made first.
func demoCare(ctx context.Context, d *app.Services, world *demoWorld) error {
	desks, err := d.ServiceDesk.Desks(ctx, world.team.ID)
	if err != nil {
		return err
	}
	if len(desks) == 0 {
		desk, err := d.ServiceDesk.CreateDesk(ctx, operatorPrincipal, servicedesk.NewDesk{OrgID: world.team.ID,
			RegionCode: world.community.Code, Name: "东山社区幸福管家"})
		if err != nil {
			return fmt.Errorf("demo service desk: %w", err)
		}
		desks = append(desks, desk)
	}
	people, err := d.Care.People(ctx, world.community.Code, 0, 10)
	if err != nil {
		return err
	}
	if len(people) == 0 {
		if people, err = demoCarePeople(ctx, d, world); err != nil {
			return err
		}
	}
	return demoServiceRequests(ctx, d, world, desks[0], people[0])
}

// demoCarePeople registers the three people of the board, the volunteer paired with the first.
func demoCarePeople(ctx context.Context, d *app.Services, world *demoWorld) ([]care.Person, error) {
	var out []care.Person
	for i, n := range []care.NewPerson{
		{Name: "王桂芳", Colour: care.Red, Categories: []string{"alone", "disabled"}, Phone: "13700000101",
			Address: "海宁市硖石街道东山路 18 号 3 单元 502 室", Note: "独居，腿脚不便，每周探访"},
		{Name: "陈阿大", Colour: care.Yellow, Categories: []string{"empty_nest"}, Phone: "13700000102",
			Address: "海宁市硖石街道东山路 26 号 1 单元 201 室"},
		{Name: "刘小宝", Colour: care.Green, Categories: []string{"left_behind"}, ConsentOf: "guardian",
			Address: "海宁市硖石街道东山路 40 号"},
	} {
		n.RegionCode, n.Consent = world.community.Code, true
		p, err := d.Care.Register(ctx, operatorPrincipal, n)
		if err != nil {
			return nil, fmt.Errorf("demo care person %d: %w", i+1, err)
		}
		if i == 0 {
			vol := world.users["volunteer"].ID
			if _, err := d.Care.Pair(ctx, operatorPrincipal, care.NewPairing{PersonID: p.ID, OrgID: world.team.ID, UserID: &vol}); err != nil {
				return nil, fmt.Errorf("demo pairing: %w", err)
			}
		}
		out = append(out, p)
	}
	return out, nil
}
