package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"timebank/web/pages"
)

// upload posts a multipart form with one file, as the import page's form does (with the page's
// anti-forgery token unless the fields say otherwise).
func (b *browser) upload(path string, fields map[string]string, filename string, content []byte) response {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if _, ok := fields["_csrf"]; !ok {
		fields["_csrf"] = b.csrf()
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			b.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	for k, v := range b.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.app.Test(req, -1)
	if err != nil {
		b.t.Fatalf("upload to %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

// The import page checks a list and shows every bad row with its line, column and problem; a
// check writes nothing; the import of a good list makes everyone on it a volunteer of the
// organization; a file that cannot be read, or none, is an error next to the file field.
func TestRosterImportPage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	path := pages.OrgPath(w.a.ID) + "/import"
	b := browserAs(t, app, adminA)
	r := b.get(path)
	if r.status != 200 || !strings.Contains(r.body, `enctype="multipart/form-data"`) {
		t.Fatalf("import page: %d", r.status)
	}
	inputsLabelled(t, "import page", r.body)

	bad := "姓名,手机号,身份证号\r\n张三,13911110001,\r\n李四,12345,\r\n,13911110003,\r\n王五,13911110004,330102199001310010\r\n"
	r = b.upload(path, map[string]string{"mode": "check"}, "名单.csv", []byte(bad))
	if r.status != 422 || !strings.Contains(r.body, `data-testid="roster-errors"`) {
		t.Fatalf("check of a bad list: %d\n%s", r.status, r.body)
	}
	for _, want := range []string{"<td class=\"num\">3</td><td>手机号</td>", "<td class=\"num\">4</td><td>姓名</td>",
		"<td class=\"num\">5</td><td>身份证号</td>", "发现 3 处错误"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(r.body, "330102199001310010") {
		t.Error("the report repeats a resident ID")
	}

	good := "序号,姓名,手机号\r\n1,张三,13911110001\r\n2,李四,13911110002\r\n3,候补,13900000000\r\n"
	gbkList, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	r = b.upload(path, map[string]string{"mode": "check"}, "名单.csv", gbkList)
	if r.status != 200 || !strings.Contains(r.body, `data-testid="roster-ok"`) || !strings.Contains(r.body, "新志愿者 2 人，已注册的 1 人") {
		t.Fatalf("check of a good GBK list: %d\n%s", r.status, r.body)
	}
	if _, err := d.Users.ByPhone(ctx, "13911110001"); err == nil {
		t.Fatal("the check imported someone")
	}
	r = b.upload(path, map[string]string{"mode": "import"}, "名单.csv", gbkList)
	if r.status != 201 || !strings.Contains(r.body, `data-testid="roster-imported"`) {
		t.Fatalf("import: %d\n%s", r.status, r.body)
	}
	u, err := d.Users.ByPhone(ctx, "13911110001")
	if err != nil || len(memberGrants(t, d, w.a.ID, u.ID)) != 1 || len(memberGrants(t, d, w.a.ID, w.spare.ID)) != 1 {
		t.Fatalf("after the import: %v", err)
	}

	// An import of a bad list imports nobody.
	r = b.upload(path, map[string]string{"mode": "import"}, "名单.csv", []byte(strings.ReplaceAll(bad, "张三,13911110001", "赵六,13911110009")))
	if r.status != 422 || !strings.Contains(r.body, "没有导入任何人") {
		t.Errorf("import of a bad list: %d", r.status)
	}
	if _, err := d.Users.ByPhone(ctx, "13911110009"); err == nil {
		t.Error("a bad list imported someone")
	}

	for name, c := range map[string]struct {
		filename string
		content  []byte
	}{
		"no file":        {"", nil},
		"unknown column": {"名单.csv", []byte("姓名,手机号,爱好\r\n张三,13911110001,下棋\r\n")},
		"not a workbook": {"名单.xlsx", []byte("PK not really")},
	} {
		r := b.upload(path, map[string]string{"mode": "check"}, c.filename, c.content)
		if r.status != 422 || !strings.Contains(r.body, `data-testid="error-file"`) {
			t.Errorf("%s: %d, want the error next to the file field", name, r.status)
		}
	}
	if r = b.upload(path, map[string]string{"mode": "import", "_csrf": ""}, "名单.csv", []byte(good)); r.status != 403 {
		t.Errorf("an upload without the anti-forgery token: %d", r.status)
	}
	if r = browserAs(t, app, coordA).get(path); r.status != 403 {
		t.Errorf("a coordinator on the import page: %d", r.status)
	}
}
