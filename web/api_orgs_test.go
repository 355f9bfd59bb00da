package web

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// apiCall sends a JSON request with a bearer token and returns the status and the decoded body.
func apiCall(t *testing.T, app *fiber.App, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// The life of an organization through the API: a region chain, a filed organization, its store,
// a registered volunteer invited as coordinator, a counter device, and what the audit log shows.
func TestOrganizationAPI(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	op := d.Config.OperatorToken
	for _, r := range []string{`{"code":"330000","name":"浙江省"}`, `{"code":"330400","name":"嘉兴市"}`,
		`{"code":"330481","name":"海宁市"}`, `{"code":"330481001000","name":"硖石街道"}`} {
		if st, body := apiCall(t, app, op, "POST", "/api/v1/regions", r); st != 201 {
			t.Fatalf("region %s: %d %v", r, st, body)
		}
	}
	if st, body := apiCall(t, app, op, "POST", "/api/v1/regions", `{"code":"330481001000","name":"硖石街道"}`); st != 409 || !strings.HasSuffix(body["type"].(string), "/region-exists") {
		t.Fatalf("duplicate region: %d %v", st, body)
	}
	if st, body := apiCall(t, app, op, "POST", "/api/v1/regions", `{"code":"330482001000","name":"无上级"}`); st != 422 {
		t.Fatalf("region without its parent: %d %v", st, body)
	}
	st, org := apiCall(t, app, op, "POST", "/api/v1/orgs",
		`{"name":"硖石街道志愿者协会","region_code":"330481001000","status":"filed","filed_by":"330481001000"}`)
	if st != 201 || org["account"] == nil {
		t.Fatalf("org: %d %v", st, org)
	}
	orgID := int64(org["id"].(float64))
	if st, body := apiCall(t, app, op, "POST", "/api/v1/orgs",
		`{"name":"冒牌","region_code":"330481001000","status":"registered","credit_code":"51330481MJ000123XB"}`); st != 400 {
		t.Fatalf("bad credit code: %d %v", st, body)
	}
	st, store := apiCall(t, app, op, "POST", "/api/v1/stores", `{"org_id":`+strconv.FormatInt(orgID, 10)+`,"name":"硖石公益仓"}`)
	if st != 201 || store["account"] != "store:"+strconv.FormatInt(int64(store["id"].(float64)), 10)+":redeemed" {
		t.Fatalf("store: %d %v", st, store)
	}

	// A person registers, and the organization invites them as coordinator by phone number.
	if st, body := apiCall(t, app, "", "POST", "/api/v1/register", `{"phone":"13912345678","password":"Qiantang-river-2026","name":"张丽华","code":"`+regCode(t, d, "13912345678")+`"}`); st != 201 {
		t.Fatalf("register: %d %v", st, body)
	}
	path := "/api/v1/orgs/" + strconv.FormatInt(orgID, 10) + "/members"
	if st, body := apiCall(t, app, op, "POST", path, `{"phone":"13912345678","role":"coordinator"}`); st != 201 {
		t.Fatalf("invite: %d %v", st, body)
	}
	if st, body := apiCall(t, app, op, "POST", path, `{"phone":"13900000000","role":"coordinator"}`); st != 404 {
		t.Fatalf("invite of an unregistered number: %d %v", st, body)
	}
	if st, body := apiCall(t, app, op, "POST", path, `{"phone":"13912345678","role":"clerk"}`); st != 400 {
		t.Fatalf("a store role at an organization: %d %v", st, body)
	}
	st, members := apiCall(t, app, op, "GET", path, "")
	list, _ := members["members"].([]any)
	if st != 200 || len(list) != 1 || list[0].(map[string]any)["phone"] != "139****5678" {
		t.Fatalf("members: %d %v", st, members)
	}

	// The coordinator logs in as an app and sees their role.
	st, login := apiCall(t, app, "", "POST", "/api/v1/login", `{"phone":"13912345678","password":"Qiantang-river-2026","token":true}`)
	if st != 200 || login["token"] == nil {
		t.Fatalf("login: %d %v", st, login)
	}
	coord := login["token"].(string)
	st, me := apiCall(t, app, coord, "GET", "/api/v1/me", "")
	roles, _ := me["roles"].([]any)
	if st != 200 || len(roles) != 1 || roles[0].(map[string]any)["role"] != "coordinator" || me["phone"] != "139****5678" {
		t.Fatalf("me: %d %v", st, me)
	}
	if st, _ := apiCall(t, app, coord, "POST", "/api/v1/stores", `{"org_id":`+strconv.FormatInt(orgID, 10)+`,"name":"私设"}`); st != 403 {
		t.Fatalf("a coordinator opened a store: %d", st)
	}

	// A counter device: the token is shown once and works at once; revoking it stops it.
	st, dev := apiCall(t, app, op, "POST", "/api/v1/device-tokens", `{"scope":"store:`+strconv.FormatInt(int64(store["id"].(float64)), 10)+`","role":"counter","label":"一号收银台"}`)
	if st != 201 || !strings.HasPrefix(dev["token"].(string), "tbd_") {
		t.Fatalf("device: %d %v", st, dev)
	}
	storePath := "/api/v1/stores/" + strconv.FormatInt(int64(store["id"].(float64)), 10)
	if st, _ := apiCall(t, app, dev["token"].(string), "GET", storePath, ""); st != 200 {
		t.Fatalf("the counter reading its store: %d", st)
	}
	if st, _ := apiCall(t, app, op, "POST", "/api/v1/device-tokens/"+strconv.FormatInt(int64(dev["id"].(float64)), 10)+"/revoke", ""); st != 204 {
		t.Fatalf("revoke device: %d", st)
	}
	if st, _ := apiCall(t, app, dev["token"].(string), "GET", storePath, ""); st != 401 {
		t.Fatalf("a revoked counter reading its store: %d", st)
	}

	// The audit log has every privileged write, newest first, and no full phone number.
	st, audit := apiCall(t, app, op, "GET", "/api/v1/audit?limit=100", "")
	entries, _ := audit["entries"].([]any)
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.(map[string]any)["action"].(string)]++
	}
	if st != 200 || actions["region.create"] != 4 || actions["org.create"] != 1 || actions["store.create"] != 1 ||
		actions["role.grant"] != 1 || actions["device.create"] != 1 || actions["device.revoke"] != 1 {
		t.Fatalf("audit: %d %v", st, actions)
	}
	raw, _ := json.Marshal(audit)
	if strings.Contains(string(raw), "13912345678") {
		t.Fatal("the audit log shows a full phone number")
	}
	// The coordinator may not read the audit log at all.
	if st, _ := apiCall(t, app, coord, "GET", "/api/v1/audit", ""); st != 403 {
		t.Fatalf("a coordinator read the audit log: %d", st)
	}
}

// upload posts a roster file as multipart form data.
func upload(t *testing.T, app *fiber.App, token, path, name, content string) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func TestRosterImportAPI(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	op := d.Config.OperatorToken
	for _, r := range []string{`{"code":"330000","name":"浙江省"}`, `{"code":"330400","name":"嘉兴市"}`, `{"code":"330481","name":"海宁市"}`} {
		if st, body := apiCall(t, app, op, "POST", "/api/v1/regions", r); st != 201 {
			t.Fatalf("region: %d %v", st, body)
		}
	}
	_, org := apiCall(t, app, op, "POST", "/api/v1/orgs", `{"name":"海宁市义工联合会","region_code":"330481","status":"registered","credit_code":"51330481MJ000123XA"}`)
	path := "/api/v1/orgs/" + strconv.FormatInt(int64(org["id"].(float64)), 10) + "/imports"

	bad := "姓名,手机号\n王秀英,13700000001\n李建国,1370000\n"
	st, rep := upload(t, app, op, path+"?dry_run=true", "名单.csv", bad)
	if st != 200 || rep["imported"] != false || len(rep["errors"].([]any)) != 1 {
		t.Fatalf("dry run: %d %v", st, rep)
	}
	st, prob := upload(t, app, op, path, "名单.csv", bad)
	rows, _ := prob["rows"].([]any)
	if st != 422 || len(rows) != 1 || !strings.Contains(rows[0].(map[string]any)["message"].(string), "第 3 行") {
		t.Fatalf("import with a bad row: %d %v", st, prob)
	}
	if st, prob := upload(t, app, op, path, "名单.csv", "年龄\n30\n"); st != 400 || prob["detail"] == nil {
		t.Fatalf("a list without the name column: %d %v", st, prob)
	}
	st, rep = upload(t, app, op, path, "名单.csv", "姓名,手机号\n王秀英,13700000001\n李建国,13700000002\n")
	if st != 201 || rep["imported"] != true || rep["new"] != float64(2) {
		t.Fatalf("import: %d %v", st, rep)
	}
	// An imported volunteer claims the account by registering the number.
	if st, body := apiCall(t, app, "", "POST", "/api/v1/register", `{"phone":"13700000002","password":"Nanhu-lake-2026","name":"李建国","code":"`+regCode(t, d, "13700000002")+`"}`); st != 201 {
		t.Fatalf("claim: %d %v", st, body)
	}
	if st, body := apiCall(t, app, "", "POST", "/api/v1/register", `{"phone":"13700000002","password":"Nanhu-lake-2026","name":"李建国","code":"`+regCode(t, d, "13700000002")+`"}`); st != 409 {
		t.Fatalf("claim twice: %d %v", st, body)
	}
}
