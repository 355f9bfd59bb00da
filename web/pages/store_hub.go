package pages

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/org"
	"timebank/web/guard"
)

// storesView lists the stores a person can use: where they may redeem credits (the stores of their
// organizations and of those organizations' parents) and where they work, with that store's pages.
type storesView struct {
	Stores []storeHead
}

// storesPage lists the person's stores.
func (s *server) storesPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := s.newView(c, "page.store.stores.title")
	stores, err := s.storesFor(ctx, guard.Principal(c))
	if err != nil {
		return err
	}
	var data storesView
	for _, st := range stores {
		t, err := s.Orgs.StoreTarget(ctx, st.ID)
		if err != nil {
			return err
		}
		h := storeHead{ID: st.ID, Name: st.Name}
		base := "/stores/" + strconv.FormatInt(st.ID, 10)
		for _, l := range storeLinks {
			if l.action == "" || guard.Principal(c).Can(l.action, t) {
				h.Links = append(h.Links, navLink{ID: "store-" + strconv.FormatInt(st.ID, 10) + "-" + l.id, Path: base + l.suffix, Label: s.msgs.Get(v.Lang, l.key)})
			}
		}
		data.Stores = append(data.Stores, h)
	}
	v.Data = data
	return s.render(c, fiber.StatusOK, "store_list", v)
}

// storesFor returns the stores of the person's grants, each once: a store grant's store, and the
// stores of an organization grant's organization and its parents.
func (s *server) storesFor(ctx context.Context, p *access.Principal) ([]org.Store, error) {
	seen := map[int64]bool{}
	var out []org.Store
	add := func(st org.Store) {
		if !seen[st.ID] {
			seen[st.ID] = true
			out = append(out, st)
		}
	}
	for _, g := range p.Grants {
		switch g.Kind {
		case access.Store:
			st, err := s.Orgs.Store(ctx, g.StoreID)
			if err != nil {
				return nil, err
			}
			add(st)
		case access.Org:
			t, err := s.Orgs.OrgTarget(ctx, g.OrgID)
			if err != nil {
				return nil, err
			}
			for _, orgID := range t.OrgIDs {
				stores, err := s.Orgs.StoresOf(ctx, orgID)
				if err != nil {
					return nil, err
				}
				for _, st := range stores {
					add(st)
				}
			}
		}
	}
	return out, nil
}
