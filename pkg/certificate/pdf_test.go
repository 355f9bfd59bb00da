package certificate_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/certificate"
)

// poppler returns the path of a poppler-utils tool, failing the test when it is missing.
func poppler(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install poppler-utils (scripts/poppler.sh, run by make test)", name)
	}
	return p
}

// sealImage draws a red ring on a transparent background, standing in for a scanned seal.
func sealImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 200, 200))
	for y := range 200 {
		for x := range 200 {
			d := (x-100)*(x-100) + (y-100)*(y-100)
			if d <= 96*96 && d >= 86*86 || x >= 90 && x <= 110 && y >= 60 && y <= 140 {
				img.Set(x, y, color.NRGBA{R: 220, A: 230})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The PDF carries the name, the masked ID, the hours, the number and the verification URL as text
// (extracted by pdftotext), embeds a subset of its font only, and renders to an image.
func TestPDF(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.volunteer(t, "王秀英", "11010519491231002x")
	e.record(t, e.orgID, u.ID, "2026-01-10", "东山社区敬老院陪伴", 180, "scan")
	e.record(t, e.orgID, u.ID, "2026-02-14", "垃圾分类宣传：入户讲解分类方法并发放宣传册，协助社区工作人员记录居民意见", 15, "manual")
	if err := e.svc.SetSeal(ctx, coordinator, e.orgID, []byte("not a png")); err != certificate.ErrBadSeal {
		t.Errorf("SetSeal(not a PNG) = %v", err)
	}
	if err := e.svc.SetSeal(ctx, coordinator, e.orgID, sealImage(t)); err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.Issue(ctx, coordinator, e.orgID, certificate.NewCertificate{UserID: u.ID, Purpose: certificate.PurposeSchool,
		ResponsibleName: "李会长", Notes: "本证明仅用于升学材料"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.svc.PDF(ctx, e.orgID, c.ID, &buf); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.PDF(ctx, e.otherOrgID, c.ID, &bytes.Buffer{}); err != certificate.ErrNotFound {
		t.Errorf("PDF of another organization's certificate: %v", err)
	}
	// The font file is 4 MB; a subset of a few dozen glyphs is a small fraction of it.
	if buf.Len() > 300_000 {
		t.Errorf("PDF of %d bytes: the font is not subset", buf.Len())
	}
	dir := os.Getenv("TIMEBANK_TEST_OUTPUT")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "certificate.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(poppler(t, "pdftotext"), "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, want := range []string{"志愿服务记录证明", "王秀英", "1101**********002X", "3.25", "3", "0.25", c.Number,
		"硖石街道志愿者协会", "李会长", "张协调", "2026年03月16日", "东山社区敬老院陪伴", "升学", "本证明仅用于升学材料",
		"https://tb.example/c/" + c.Token[:40]} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	fonts, err := exec.Command(poppler(t, "pdffonts"), file).Output()
	if err != nil {
		t.Fatalf("pdffonts: %v", err)
	}
	// The CJK font is embedded (fpdf writes its subset without the ABCDEF+ tag, so pdffonts says
	// "sub no": the size above shows the subset), Helvetica is the reader's own.
	if !regexp.MustCompile(`(?m)^utf8droid\s+CID TrueType\s+Identity-H\s+yes`).Match(fonts) ||
		!regexp.MustCompile(`(?m)^Helvetica\s+Type 1\s+WinAnsi\s+no`).Match(fonts) {
		t.Errorf("fonts:\n%s\nwant the CJK font embedded and Helvetica", fonts)
	}
	if err := exec.Command(poppler(t, "pdftoppm"), "-png", "-r", "60", "-f", "1", "-l", "1", file,
		filepath.Join(dir, "certificate")).Run(); err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "certificate-1.png")); err != nil {
		t.Errorf("page 1 not rendered: %v", err)
	}
}

// pdfText returns the text of a PDF, page breaks as form feeds.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(poppler(t, "pdftotext"), "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// Many records run over pages, each with the table's header; the issuer block follows the last
// record; a revoked certificate says so on its face.
func TestPDFPagesAndStatus(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.volunteer(t, "王秀英", "")
	const n = 45
	for i := range n {
		e.record(t, e.orgID, u.ID, fmt.Sprintf("2025-%02d-%02d", i/28+1, i%28+1), fmt.Sprintf("第%d次活动", i+1), 60, "scan")
	}
	c := e.issue(t, e.orgID, u.ID)
	if _, err := e.svc.Revoke(ctx, coordinator, e.orgID, c.ID, "开错了"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.svc.PDF(ctx, e.orgID, c.ID, &buf); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("TIMEBANK_TEST_OUTPUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "certificate-revoked.pdf"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := pdfText(t, buf.Bytes())
	pages := strings.Split(strings.TrimRight(text, "\f"), "\f")
	if len(pages) < 2 {
		t.Fatalf("%d page(s) for %d records", len(pages), n)
	}
	for i, p := range pages {
		if !strings.Contains(p, "活动名称") && i < len(pages)-1 {
			t.Errorf("page %d has no table header", i+1)
		}
		// The total is filled in after the pages were laid out, in the space its alias took.
		if !regexp.MustCompile(fmt.Sprintf(`第 %d/%d\s*页`, i+1, len(pages))).MatchString(p) {
			t.Errorf("page %d lacks its number of %d", i+1, len(pages))
		}
	}
	last := pages[len(pages)-1]
	for _, want := range []string{"合计 45 条", "45", "出具组织", "李会长"} {
		if !strings.Contains(last, want) {
			t.Errorf("last page lacks %q", want)
		}
	}
	if !strings.Contains(text, "第45次活动") || !strings.Contains(pages[0], "本证明已撤销") {
		t.Errorf("text lacks the last record or the revocation:\n%s", text)
	}
}
