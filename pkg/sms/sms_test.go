package sms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"timebank/pkg/sms"
)

func TestGateway(t *testing.T) {
	var got struct{ Phone, Text, Auth string }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &got)
		got.Auth = r.Header.Get("Authorization")
		if got.Phone == "13900000009" {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	s := sms.New(srv.URL, "tok", true, nil)
	if err := s.Send(context.Background(), "13900000001", sms.ResetText("zh-CN", "123456", 10)); err != nil {
		t.Fatal(err)
	}
	if got.Phone != "13900000001" || !strings.Contains(got.Text, "123456") || got.Auth != "Bearer tok" {
		t.Fatalf("gateway got %+v", got)
	}
	if err := s.Send(context.Background(), "13900000009", "x"); err == nil {
		t.Fatal("a 502 from the gateway was taken for sent")
	}
}

func TestDevelopmentAndProduction(t *testing.T) {
	var buf bytes.Buffer
	dev := sms.New("", "", false, slog.New(slog.NewTextHandler(&buf, nil)))
	if err := dev.Send(context.Background(), "13900000001", sms.ResetText("en", "654321", 10)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "654321") || strings.Contains(buf.String(), "13900000001") ||
		!strings.Contains(buf.String(), "139****0001") {
		t.Fatalf("development log: %s", buf.String())
	}
	if err := sms.New("", "", true, nil).Send(context.Background(), "13900000001", "x"); !errors.Is(err, sms.ErrNotConfigured) {
		t.Fatalf("production without a gateway: %v", err)
	}
}
