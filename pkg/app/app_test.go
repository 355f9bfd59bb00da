package app_test

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
)

func newServices(t *testing.T) *app.Services {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.RedisPrefix = prefix
	svc, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), db, rdb)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// New builds every service it declares: a field added to Services and left unbuilt fails here, not
// with a nil pointer in the first request that needs it.
func TestNewBuildsEveryService(t *testing.T) {
	svc := newServices(t)
	v := reflect.ValueOf(svc).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Pointer, reflect.Interface:
			if f.IsNil() {
				t.Errorf("Services.%s is not built", v.Type().Field(i).Name)
			}
		}
	}
	if svc.Config.RedisPrefix == "" || svc.Ledger.BalanceChannel("vol:1") != svc.Config.RedisPrefix+"balance:vol:1" {
		t.Errorf("the ledger does not use the configured Redis prefix %q", svc.Config.RedisPrefix)
	}
}

// The workers run until their context ends, and RunWorkers returns only once every one stopped.
func TestRunWorkersStop(t *testing.T) {
	svc := newServices(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.RunWorkers(ctx)
	}()
	select {
	case <-done:
		t.Fatal("the workers stopped before their context ended")
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the workers did not stop when their context ended")
	}
}
