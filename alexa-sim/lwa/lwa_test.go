package lwa

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"livingroom/internal/clocktest"
)

func newService(t *testing.T) (*Service, *clocktest.Clock) {
	t.Helper()
	clock := clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	return New(Config{ClientID: "skill-client", ClientSecret: "skill-secret", Now: clock.Now}), clock
}

func post(t *testing.T, s *Service, form url.Values, basic bool) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/auth/o2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth("skill-client", "skill-secret")
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("reply not JSON: %s", rec.Body)
	}
	return rec.Code, m
}

func client(v url.Values) url.Values {
	v.Set("client_id", "skill-client")
	v.Set("client_secret", "skill-secret")
	return v
}

func TestCodeExchangeAndRefresh(t *testing.T) {
	t.Parallel()
	s, clock := newService(t)
	code, err := s.IssueCode("dev-token")
	if err != nil {
		t.Fatal(err)
	}
	status, m := post(t, s, client(url.Values{"grant_type": {"authorization_code"}, "code": {code}}), false)
	access, _ := m["access_token"].(string)
	refresh, _ := m["refresh_token"].(string)
	if status != 200 || !strings.HasPrefix(access, AccessPrefix) || !strings.HasPrefix(refresh, RefreshPrefix) ||
		m["token_type"] != "bearer" || m["expires_in"] != 3600.0 {
		t.Fatalf("%d %v", status, m)
	}
	if g, err := s.Check(access); err != nil || g != "dev-token" {
		t.Errorf("Check = %q, %v", g, err)
	}
	// The code is single use.
	if status, m := post(t, s, client(url.Values{"grant_type": {"authorization_code"}, "code": {code}}), false); status != 400 || m["error"] != "invalid_grant" {
		t.Errorf("reuse: %d %v", status, m)
	}
	// An hour later the access token has expired; the refresh token gets a new one.
	clock.Advance(AccessTTL)
	if _, err := s.Check(access); !errors.Is(err, ErrExpiredToken) {
		t.Errorf("expired: %v", err)
	}
	status, m = post(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, true)
	fresh, _ := m["access_token"].(string)
	if status != 200 || fresh == access || m["refresh_token"] != refresh {
		t.Fatalf("refresh: %d %v", status, m)
	}
	if g, err := s.Check(fresh); err != nil || g != "dev-token" {
		t.Errorf("fresh: %q %v", g, err)
	}
	if _, err := s.Check("Atza|forged"); !errors.Is(err, ErrUnknownToken) {
		t.Errorf("forged: %v", err)
	}
}

func TestTokenRequestRejects(t *testing.T) {
	t.Parallel()
	s, clock := newService(t)
	expired, _ := s.IssueCode("dev-token")
	clock.Advance(CodeTTL)
	tests := []struct {
		name   string
		form   url.Values
		ctype  string
		status int
		code   string
	}{
		{"wrong secret", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {"skill-client"}, "client_secret": {"nope"}}, "", 401, "invalid_client"},
		{"no client", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, "", 401, "invalid_client"},
		{"unknown code", client(url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}}), "", 400, "invalid_grant"},
		{"expired code", client(url.Values{"grant_type": {"authorization_code"}, "code": {expired}}), "", 400, "invalid_grant"},
		{"unknown refresh", client(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"Atzr|x"}}), "", 400, "invalid_grant"},
		{"no grant type", client(url.Values{}), "", 400, "invalid_request"},
		{"password grant", client(url.Values{"grant_type": {"password"}}), "", 400, "unsupported_grant_type"},
		{"JSON body", client(url.Values{"grant_type": {"refresh_token"}}), "application/json", 400, "invalid_request"},
		{"huge form", client(url.Values{"grant_type": {"authorization_code"}, "code": {strings.Repeat("x", 9<<10)}}), "", 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/auth/o2/token", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			var m map[string]any
			json.Unmarshal(rec.Body.Bytes(), &m)
			if rec.Code != tt.status || m["error"] != tt.code {
				t.Errorf("%d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.code)
			}
		})
	}
}

func TestBounded(t *testing.T) {
	t.Parallel()
	s, clock := newService(t)
	for range maxEntries {
		if _, err := s.IssueCode("g"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.IssueCode("g"); !errors.Is(err, ErrFull) {
		t.Fatalf("over the bound: %v", err)
	}
	clock.Advance(CodeTTL)
	if _, err := s.IssueCode("g"); err != nil {
		t.Fatalf("expired codes not dropped: %v", err)
	}
}
