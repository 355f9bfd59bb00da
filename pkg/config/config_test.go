package config

import (
	"strings"
	"testing"
)

func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsWorkInDevelopment(t *testing.T) {
	c, err := Load(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	// On a laptop in a café: loopback only, and no operator token unless one is set.
	if c.Secret != DevSecret || c.Addr != "127.0.0.1:8080" || c.OperatorToken != "" || c.Production() {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestProductionRefusesMissingOrWeakSecret(t *testing.T) {
	for _, secret := range []string{"", "short", DevSecret, strings.Repeat("ab", 20)} {
		_, err := Load(envMap(map[string]string{"TIMEBANK_ENV": "production", "TIMEBANK_SECRET": secret}))
		if err == nil || !strings.Contains(err.Error(), "TIMEBANK_SECRET") {
			t.Errorf("secret %q: want a TIMEBANK_SECRET error, got %v", secret, err)
		}
	}
	c, err := Load(envMap(map[string]string{"TIMEBANK_ENV": "production",
		"TIMEBANK_SECRET": "3f9a1c7e5b2d8f604a1e9c3b7d5f2a8e"}))
	if err != nil || c.OperatorToken != "" || c.LogFormat != "json" {
		t.Fatalf("good production config: %+v %v", c, err)
	}
}

func TestBadValuesAreReported(t *testing.T) {
	_, err := Load(envMap(map[string]string{"TIMEBANK_DB_MAX_CONNS": "many", "TIMEBANK_RELAY_EVERY": "-1s",
		"TIMEBANK_BASE_URL": "ftp://x", "TIMEBANK_ENV": "staging", "TIMEBANK_REDIS_PREFIX": "{tb}:"}))
	for _, want := range []string{"TIMEBANK_DB_MAX_CONNS", "TIMEBANK_RELAY_EVERY", "TIMEBANK_BASE_URL", "TIMEBANK_ENV", "TIMEBANK_REDIS_PREFIX"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error naming %s, got %v", want, err)
		}
	}
}

func TestLogValueMasksSecrets(t *testing.T) {
	c, _ := Load(envMap(map[string]string{"TIMEBANK_DATABASE_URL": "postgres://u:hunter2@db/x",
		"TIMEBANK_DATABASE_REPLICA_URL": "postgres://u:s3cr3t-replica@replica/x",
		"TIMEBANK_OPERATOR_TOKEN":       "tok-abcdefghijklmnopqrstuvwxyz"}))
	s := c.LogValue().String()
	for _, secret := range []string{"hunter2", "s3cr3t-replica", "tok-abcdefghijklmnopqrstuvwxyz", DevSecret} {
		if strings.Contains(s, secret) {
			t.Errorf("log value leaks %q: %s", secret, s)
		}
	}
}
