package lwaclient_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"livingroom/internal/alexaevents"
	"livingroom/internal/lwaclient"
)

// fakeLWA answers LWA's form API: grant codes and refresh tokens.
func fakeLWA(t *testing.T) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("client_id") != "skill" || r.PostForm.Get("client_secret") != "secret" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.PostForm.Get("grant_type") == "authorization_code" && r.PostForm.Get("code") == "good-code":
			_, _ = io.WriteString(w, `{"access_token":"Atza|1","refresh_token":"Atzr|1","token_type":"bearer","expires_in":3600}`)
		case r.PostForm.Get("grant_type") == "refresh_token" && r.PostForm.Get("refresh_token") == "Atzr|1":
			_, _ = io.WriteString(w, `{"access_token":"Atza|2","refresh_token":"Atzr|2","token_type":"bearer","expires_in":3600}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestExchangeAndRefresh(t *testing.T) {
	ts := fakeLWA(t)
	c := lwaclient.New(lwaclient.Config{ClientID: "skill", ClientSecret: "secret", TokenURL: ts.URL}, ts.Client())
	ctx := context.Background()
	got, err := c.Exchange(ctx, "good-code")
	if err != nil || got.Access != "Atza|1" || got.Refresh != "Atzr|1" || got.ExpiresAt.IsZero() {
		t.Fatalf("Exchange = %+v, %v", got, err)
	}
	if _, err := c.Exchange(ctx, "used-code"); !errors.Is(err, alexaevents.ErrGrant) {
		t.Fatalf("Exchange(bad) err = %v", err)
	}
	fresh, err := c.Refresh(ctx, "Atzr|1")
	if err != nil || fresh.Access != "Atza|2" {
		t.Fatalf("Refresh = %+v, %v", fresh, err)
	}
	if _, err := c.Refresh(ctx, "Atzr|unknown"); err == nil {
		t.Fatal("Refresh of an unknown token succeeded")
	}
	wrong := lwaclient.New(lwaclient.Config{ClientID: "skill", ClientSecret: "nope", TokenURL: ts.URL}, ts.Client())
	if _, err := wrong.Exchange(ctx, "good-code"); err == nil {
		t.Fatal("Exchange with a wrong secret succeeded")
	}
}

func TestGatewaySend(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   error
		ok     bool
	}{
		{"accepted", 202, ``, nil, true},
		{"expired token", 401, `{"header":{},"payload":{"code":"INVALID_ACCESS_TOKEN_EXCEPTION","description":"expired"}}`, alexaevents.ErrInvalidToken, false},
		{"skill disabled", 403, `{"payload":{"type":"SKILL_DISABLED_EXCEPTION","message":"disabled"}}`, alexaevents.ErrSkillDisabled, false},
		{"bad request", 400, `{"payload":{"code":"INVALID_REQUEST_EXCEPTION"}}`, nil, false},
		{"server error with a huge body", 500, strings.Repeat("x", 1<<20), nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "Bearer Atza|1" || r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("headers %v", r.Header)
				}
				w.WriteHeader(c.status)
				_, _ = io.WriteString(w, c.body)
			}))
			defer ts.Close()
			client := lwaclient.New(lwaclient.Config{GatewayURL: ts.URL}, ts.Client())
			err := client.Send(context.Background(), "Atza|1", []byte(`{"event":{}}`))
			if c.ok != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err != nil && len(err.Error()) > 200 {
				t.Fatalf("error carries the body: %.100s", err)
			}
		})
	}
}
