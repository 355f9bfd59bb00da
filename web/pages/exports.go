package pages

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// exportBox is a box of downloads on a page (partials/exports): the period, and a button per
// export and format. Its script (exports.js) fetches the file and shows the rows and bytes received
// as they arrive; without the script the buttons are plain links to the whole history.
type exportBox struct {
	ID    string // the box's element id
	Base  string // the API path the exports hang under
	Items []exportItem
}

// exportItem is one export of a box: its name in the API path and its label, translated.
type exportItem struct {
	Name, Label string
}

// orgExports is the organization page's box: its service records (also in the national fields)
// and activities with attendance for those who read its activities, and its members.
func (s *server) orgExports(lang string, orgID int64, activities bool) exportBox {
	b := exportBox{ID: "org-exports", Base: "/api/v1/orgs/" + strconv.FormatInt(orgID, 10)}
	if activities {
		b.Items = append(b.Items, exportItem{"records", s.msgs.Get(lang, "page.exports.records")},
			exportItem{"records-national", s.msgs.Get(lang, "page.exports.national")},
			exportItem{"activities", s.msgs.Get(lang, "page.exports.activities")})
	}
	b.Items = append(b.Items, exportItem{"members", s.msgs.Get(lang, "page.exports.members")})
	return b
}

// storeExportsView is the store's exports page.
type storeExportsView struct {
	Store   storeHead
	Exports exportBox
}

// storeExportsPage offers the store's stock journal, orders, donations and day reports for a period.
func (s *server) storeExportsPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.exports.store_title")
	head, err := s.storeHead(c, v.Lang, "exports")
	if err != nil {
		return err
	}
	v.Data = storeExportsView{Store: head, Exports: exportBox{ID: "store-export-box", Base: "/api/v1/stores/" + strconv.FormatInt(head.ID, 10),
		Items: []exportItem{{"journal", s.msgs.Get(v.Lang, "page.exports.journal")}, {"orders", s.msgs.Get(v.Lang, "page.exports.orders")},
			{"donations", s.msgs.Get(v.Lang, "page.exports.donations")}, {"reports", s.msgs.Get(v.Lang, "page.exports.reports")}}}}
	return s.render(c, fiber.StatusOK, "store_exports", v)
}

// statementExports is the balance page's box: the person's credit statement.
func (s *server) statementExports(lang string) exportBox {
	return exportBox{ID: "statement-exports", Base: "/api/v1/me",
		Items: []exportItem{{"statement", s.msgs.Get(lang, "page.exports.statement")}}}
}
