package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	defaults := loadConfig(env(nil))
	defaults.schemaPath = "" // found beside a development checkout, absent in a clone
	if got, want := defaults, (config{
		addr: "127.0.0.1:8300", lambdaEndpoint: "http://127.0.0.1:3001", function: "SkillFunction",
		region: "us-east-1", catalogDir: ".run/catalog", sourceID: "livingroom",
		clientID: "alexa-sim-skill", clientSecret: "alexa-sim-secret", partner: partnerOAuth{clientID: "alexa"},
		customSkillFunction: "CustomSkillFunction", customSkillID: "amzn1.ask.skill.livingroom-dev",
	}); got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	got := loadConfig(env(map[string]string{
		"ALEXA_SIM_ADDR": ":9", "LAMBDA_ENDPOINT": "http://l:1", "SKILL_FUNCTION": "F",
		"AWS_REGION": "eu-west-1", "CATALOG_DIR": "/c", "CATALOG_SOURCE_ID": "hulu_us", "ALEXA_SCHEMA": "/s.json",
		"ALEXA_CLIENT_ID": "id", "ALEXA_CLIENT_SECRET": "secret",
		"PARTNER_OAUTH_AUTHORIZE_URL": "http://p/authorize", "PARTNER_OAUTH_TOKEN_URL": "http://p/token",
		"PARTNER_OAUTH_CLIENT_ID": "cid", "PARTNER_OAUTH_CLIENT_SECRET": "cs", "PARTNER_OAUTH_SCOPE": "profile",
		"CUSTOM_SKILL_MODEL": "/m.json", "CUSTOM_SKILL_FUNCTION": "C", "ALEXA_SKILL_ID": "amzn1.ask.skill.x",
	}))
	if want := (config{addr: ":9", lambdaEndpoint: "http://l:1", function: "F", region: "eu-west-1", catalogDir: "/c", sourceID: "hulu_us", schemaPath: "/s.json", clientID: "id", clientSecret: "secret",
		partner:          partnerOAuth{authorizeURL: "http://p/authorize", tokenURL: "http://p/token", clientID: "cid", clientSecret: "cs", scope: "profile"},
		customSkillModel: "/m.json", customSkillFunction: "C", customSkillID: "amzn1.ask.skill.x"}); got != want {
		t.Errorf("from env %+v, want %+v", got, want)
	}
}

// The wired binary starts, prints its URL, serves, and stops on cancel.
func TestRunServesAndShutsDown(t *testing.T) {
	t.Parallel()
	env := map[string]string{"ALEXA_SIM_ADDR": "127.0.0.1:0", "CATALOG_DIR": "ingest/testdata/feed"}
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stdoutW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, func(k string) string { return env[k] }, stdoutW, io.Discard)
		stdoutW.Close()
	}()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL printed: %v", err)
	}
	go io.Copy(io.Discard, stdout)
	url := strings.TrimSpace(strings.TrimPrefix(line, "alexa-sim listening on "))
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health struct {
		Status  string
		Catalog struct{ Works, Channels int }
	}
	err = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if err != nil || health.Status != "ok" || health.Catalog.Works != 9 || health.Catalog.Channels != 3 {
		t.Errorf("health %+v, %v", health, err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// A custom skill model that cannot be read stops the start, saying why.
func TestCustomSkillModel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		model string
		on    bool
		fails bool
	}{
		{"", false, false},
		{"../lambdas/custom-skill/interaction-model.json", true, false},
		{"testdata/missing.json", false, true},
		{"main.go", false, true},
	} {
		conv, inv, err := customSkill(config{customSkillModel: tc.model, lambdaEndpoint: "http://127.0.0.1:1", customSkillFunction: "C", region: "us-east-1"})
		if (err != nil) != tc.fails || (conv != nil) != tc.on || (inv != nil) != tc.on {
			t.Errorf("customSkill(%q) = %v, %v, %v", tc.model, conv, inv, err)
		}
	}
}
