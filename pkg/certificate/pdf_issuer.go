package certificate

import (
	"codeberg.org/go-pdf/fpdf"
)

// issuerHeight is the height (mm) of the issuer block: the issuer's lines beside the seal area,
// then the QR code and its caption. It is kept on one page.
const issuerHeight = 92.0

// writeIssuer writes the issuer, the signature lines, the seal area and the verification QR code.
func writeIssuer(pdf *fpdf.Fpdf, c Certificate, hasSeal bool, verifyURL string) {
	_, pageHeight := pdf.GetPageSize()
	if pdf.GetY()+issuerHeight > pageHeight-pageMargin-5 {
		pdf.AddPage()
	}
	pdf.Ln(6)
	top := pdf.GetY()
	w := writer{pdf, 11}
	lines := []string{
		"出具组织：" + c.OrgName,
		orgCodeLine(c),
		"负责人（签字）：________________   " + c.ResponsibleName,
		"经办人（签字）：________________   " + c.HandlerName,
		"联系方式：" + c.Contact,
		"出具日期：" + chineseDate(c.IssueDate),
	}
	for _, l := range lines {
		w.cell(110, 8, w.fit(l, 108), "", 1, "L", false)
	}
	// The seal area: a circle of 42 mm where the seal is pressed, or drawn when the organization
	// stored its image.
	cx, cy, r := 160.0, top+24, 21.0
	if hasSeal {
		pdf.ImageOptions("seal", cx-r, cy-r, 2*r, 2*r, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	} else {
		pdf.SetDrawColor(170, 170, 170)
		pdf.SetDashPattern([]float64{1.5, 1.5}, 0)
		pdf.Circle(cx, cy, r, "D")
		pdf.SetDashPattern(nil, 0)
		pdf.SetDrawColor(0, 0, 0)
	}
	pdf.SetTextColor(110, 110, 110)
	pdf.SetXY(cx-r, cy+r+1)
	writer{pdf, 9}.cell(2*r, 5, "（组织盖章）", "", 0, "C", false)
	pdf.SetTextColor(0, 0, 0)

	qrTop := top + 6*8 + 6
	pdf.ImageOptions("qr", pageMargin, qrTop, 30, 30, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetXY(pageMargin+33, qrTop+2)
	writer{pdf, 10}.paragraph(0, 6, "扫描二维码核验本证明的真伪与状态（电子签名 Ed25519，可离线核验）。")
	pdf.SetX(pageMargin + 33)
	writer{pdf, 7}.paragraph(0, 3.6, verifyURL)
}
