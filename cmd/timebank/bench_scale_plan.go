package main

import (
	"fmt"
	"math"
	"time"
)

// A province at scale 1 is Zhejiang: 15.4 million registered volunteers, 262 thousand organizations
// in the five-level tree, a thousand charity supermarkets. The mix of the history, chosen from what
// street platforms report (most registered volunteers never serve in a given year):
//
//   - 12% of volunteers are active: each served at 1 to 5 activities of one organization in the
//     last 365 days (3 on average), scanned in and out (1 in 20 added by hand, 补录), each record
//     verified and credited (1 minute = 1 credit minute) from the organization's issuing account;
//   - after a record, 1 active volunteer in 4 redeems 30 to 120 minutes at a store (if the balance
//     allows);
//   - each organization holds 6 activities in the year, 2 to 4 hours each;
//   - the other 88% have an account at zero and no history.
const (
	scaleVolunteers     = 15_400_000
	scaleOrgs           = 262_000
	scaleStores         = 1_000
	scaleCities         = 11
	scaleCounties       = 90
	scaleStreets        = 1_400
	scaleCommunities    = 25_000
	scaleActivePercent  = 12
	scaleActivitiesOrg  = 6
	scaleMaxRecords     = 5
	scaleRedeemOneIn    = 4
	scaleStreetOrgEvery = 20 // every 20th organization sits at its street rather than a community
	scaleAccountSlots   = 16 // as pkg/org opens issuing and store accounts
	scaleProvince       = "330000000000"
	scaleCreatedBy      = "bench:scale"
)

// scalePlan is how many of each a load makes.
type scalePlan struct {
	Scale                                  float64
	Cities, Counties, Streets, Communities int
	Orgs, Stores, Volunteers               int
	Today                                  time.Time // the last day of history is the day before
}

// planScale scales the province; every level keeps at least one of each.
func planScale(scale float64, today time.Time) (scalePlan, error) {
	if !(scale > 0 && scale <= 1) {
		return scalePlan{}, fmt.Errorf("%w: --scale must be in (0, 1]", errUsage)
	}
	n := func(full int) int { return max(1, int(math.Round(float64(full)*scale))) }
	p := scalePlan{Scale: scale, Cities: n(scaleCities), Counties: n(scaleCounties), Streets: n(scaleStreets),
		Communities: n(scaleCommunities), Orgs: n(scaleOrgs), Stores: n(scaleStores), Volunteers: n(scaleVolunteers),
		Today: today}
	p.Counties = max(p.Counties, p.Cities)
	p.Streets = max(p.Streets, p.Counties)
	p.Communities = max(p.Communities, p.Streets)
	p.Orgs = max(p.Orgs, 2)
	p.Stores = min(p.Stores, (p.Orgs+scaleStreetOrgEvery-1)/scaleStreetOrgEvery)
	return p, nil
}

// cityNames are Zhejiang's eleven prefecture-level cities, in code order (3301 … 3311).
var cityNames = []string{"杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市"}

// region is one node of the tree.
type region struct {
	code, name, parent string
	level              int
}

// child returns the i-th (from 0) code of a level below parent; children are spread over parents
// round robin, so a level of n nodes over m parents gives each about n/m.
func childCode(parent string, digits, width, nth int) string {
	return (parent[:digits-width] + fmt.Sprintf("%0*d", width, nth+1) + "000000000000")[:12]
}

// regions returns the tree, parents before children.
func (p scalePlan) regions() []region {
	out := []region{{code: scaleProvince, name: "浙江省", level: 1}}
	level := func(parents []region, n, lvl, digits, width int, name func(parent region, nth int) string) []region {
		var kids []region
		for i := range n {
			par := parents[i%len(parents)]
			nth := i / len(parents)
			kids = append(kids, region{code: childCode(par.code, digits, width, nth), name: name(par, nth),
				parent: par.code, level: lvl})
		}
		out = append(out, kids...)
		return kids
	}
	cities := level(out[:1], p.Cities, 2, 4, 2, func(_ region, nth int) string { return cityNames[nth%len(cityNames)] })
	counties := level(cities, p.Counties, 3, 6, 2, func(par region, nth int) string { return fmt.Sprintf("%s第%d区", par.name, nth+1) })
	streets := level(counties, p.Streets, 4, 9, 3, func(par region, nth int) string { return fmt.Sprintf("%s%d街道", par.name, nth+1) })
	level(streets, p.Communities, 5, 12, 3, func(par region, nth int) string { return fmt.Sprintf("%s%d社区", par.name, nth+1) })
	return out
}
