package certificate

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"strings"

	"timebank/ledger"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// droidSans is Droid Sans Fallback (Apache License 2.0, see fonts/), a TrueType CJK font: fpdf
// embeds TrueType outlines only (Debian's Noto CJK fonts are CFF), and subsets it, so that a
// certificate carries only the glyphs it uses.
//
//go:embed fonts/DroidSansFallbackFull.ttf
var droidSans []byte

const (
	fontFamily = "droid"
	pageMargin = 20.0 // mm, all four sides
	lineHeight = 7.0
)

// PDF writes a certificate of the organization as an A4 PDF in Chinese: the statement, its records,
// the issuer with signature lines for 负责人 and 经办人, the seal area (with the organization's seal
// image when it has one, see SetSeal), and the QR code of its verification URL. A revoked or
// superseded certificate is printed with its status.
// Errors: ErrNotFound.
func (s *Service) PDF(ctx context.Context, orgID, id int64, w io.Writer) error {
	c, err := s.Get(ctx, orgID, id)
	if err != nil {
		return err
	}
	sealPNG, err := seal(ctx, s.db, orgID)
	if err != nil {
		return err
	}
	qr, err := qrcode.Encode(s.VerifyURL(c.Token), qrcode.Medium, 512)
	if err != nil {
		return fmt.Errorf("certificate: QR code: %w", err)
	}
	pdf := newDocument(c)
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qr))
	if sealPNG != nil {
		pdf.RegisterImageOptionsReader("seal", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(sealPNG))
	}
	pdf.AddPage()
	writeStatement(pdf, c)
	writeRecords(pdf, c)
	writeIssuer(pdf, c, sealPNG != nil, s.VerifyURL(c.Token))
	if pdf.Err() {
		return fmt.Errorf("certificate: PDF: %w", pdf.Error())
	}
	return pdf.Output(w)
}

// newDocument sets up an A4 document with the embedded font and the footer.
func newDocument(c Certificate) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(pageMargin, pageMargin, pageMargin)
	pdf.SetAutoPageBreak(true, pageMargin+5)
	pdf.AddUTF8FontFromBytes(fontFamily, "", droidSans)
	pdf.SetFont(fontFamily, "", 12)
	pdf.SetTitle("志愿服务记录证明 "+c.Number, true)
	pdf.SetAuthor(c.OrgName, true)
	pdf.SetCreationDate(c.CreatedAt)
	pdf.SetModificationDate(c.CreatedAt)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-pageMargin)
		pdf.SetTextColor(110, 110, 110)
		writer{pdf, 8}.cell(0, 5, fmt.Sprintf("证明编号 %s　　依据《志愿服务记录与证明出具办法（试行）》免费出具　　第 %d/{nb} 页",
			c.Number, pdf.PageNo()), "", 0, "C", false)
		pdf.SetTextColor(0, 0, 0)
	})
	return pdf
}

// writeStatement writes the title, the number and the statement of service.
func writeStatement(pdf *fpdf.Fpdf, c Certificate) {
	writer{pdf, 22}.cell(0, 14, "志愿服务记录证明", "", 1, "C", false)
	writer{pdf, 10}.cell(0, 6, "编号："+c.Number, "", 1, "R", false)
	if c.Status != StatusIssued {
		pdf.SetTextColor(200, 0, 0)
		writer{pdf, 14}.cell(0, 8, "本证明"+statusName(c.Status)+"，不再有效", "", 1, "C", false)
		pdf.SetTextColor(0, 0, 0)
	}
	pdf.Ln(4)
	who := "志愿者编号：" + c.VolunteerNo
	if c.IDType == "resident_id" {
		who = "居民身份证号码：" + c.IDMasked + "，" + who
	}
	when := "截至" + chineseDate(c.IssueDate)
	if c.From != "" {
		when = "于" + chineseDate(c.From) + "至" + chineseDate(c.To) + "期间"
	}
	text := fmt.Sprintf("兹证明 %s（%s）%s在%s参加志愿服务，经本组织记录核实，累计志愿服务时长 %s 小时，"+
		"其中扫码记录 %s 小时，补录 %s 小时。服务记录明细如下。",
		c.PersonName, who, when, c.OrgName, ledger.FormatHours(c.TotalMinutes), ledger.FormatHours(c.ScanMinutes),
		ledger.FormatHours(c.ManualMinutes))
	w := writer{pdf, 12}
	w.paragraph(0, 8, "　　"+text)
	w.cell(0, 8, "证明用途："+PurposeName(c.Purpose), "", 1, "L", false)
	pdf.Ln(2)
}

// recordColumns are the widths (mm) and headers of the records' table; they fill the 170 mm
// between the margins.
var recordColumns = []struct {
	width  float64
	header string
	align  string
}{{24, "日期", "C"}, {46, "活动名称", "L"}, {60, "服务内容", "L"}, {22, "时长（小时）", "R"}, {18, "记录方式", "C"}}

// writeRecords writes the table of the certified records and their total.
func writeRecords(pdf *fpdf.Fpdf, c Certificate) {
	w := writer{pdf, 9}
	pdf.SetFillColor(235, 235, 235)
	header := func() {
		for _, col := range recordColumns {
			w.cell(col.width, lineHeight, col.header, "1", 0, "C", true)
		}
		pdf.Ln(-1)
	}
	header()
	_, pageHeight := pdf.GetPageSize()
	for _, r := range c.Records {
		if pdf.GetY()+lineHeight > pageHeight-pageMargin-5 {
			pdf.AddPage()
			header()
		}
		kind := "扫码"
		if r.Kind == "manual" {
			kind = "补录"
		}
		cells := []string{r.Date, r.Activity, r.Content, ledger.FormatHours(r.Minutes), kind}
		for i, col := range recordColumns {
			w.cell(col.width, lineHeight, w.fit(cells[i], col.width-2), "1", 0, col.align, false)
		}
		pdf.Ln(-1)
	}
	total := recordColumns[0].width + recordColumns[1].width + recordColumns[2].width
	w.cell(total, lineHeight, fmt.Sprintf("合计 %d 条", len(c.Records)), "1", 0, "R", true)
	w.cell(recordColumns[3].width, lineHeight, ledger.FormatHours(c.TotalMinutes), "1", 0, "R", true)
	w.cell(recordColumns[4].width, lineHeight, "", "1", 1, "C", true)
	if c.Notes != "" {
		pdf.Ln(2)
		writer{pdf, 11}.paragraph(0, 7, "备注："+c.Notes)
	}
}

// fit shortens s with an ellipsis until it is at most width mm wide in the current font.
func (w writer) fit(s string, width float64) string {
	if w.width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && w.width(string(r)+"...") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "..."
}

// chineseDate writes YYYY-MM-DD as 2026年12月07日.
func chineseDate(d string) string {
	if len(d) != 10 {
		return d
	}
	return d[0:4] + "年" + d[5:7] + "月" + d[8:10] + "日"
}

// orgCodeLine is the issuer's unified social credit code, or its filing.
func orgCodeLine(c Certificate) string {
	if c.OrgCodeKind == "credit_code" {
		return "统一社会信用代码：" + c.OrgCode
	}
	return "备案：" + strings.TrimSpace(c.OrgCode)
}
