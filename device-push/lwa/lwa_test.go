package lwa_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"livingroom/device-push/lwa"
	"livingroom/internal/adm"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestIssueAndVerify(t *testing.T) {
	now := start
	clock := func() time.Time { return now }
	iss := lwa.NewIssuer("client", "secret", 0, clock)
	tok := iss.Issue()
	if tok.ExpiresIn != 3600 || tok.Scope != adm.ScopeMessagingPush || tok.TokenType != "bearer" ||
		!strings.HasPrefix(tok.AccessToken, "Atc|") {
		t.Fatalf("token = %+v", tok)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok.AccessToken, "Atc|"))
	tampered := append([]byte(nil), raw...)
	tampered[0] ^= 1 // push the expiry far out
	forged := "Atc|" + base64.RawURLEncoding.EncodeToString(tampered)

	tests := []struct {
		name   string
		issuer *lwa.Issuer
		token  string
		at     time.Duration
		want   error
	}{
		{"fresh", iss, tok.AccessToken, 0, nil},
		{"just before expiry", iss, tok.AccessToken, time.Hour - time.Second, nil},
		{"at expiry", iss, tok.AccessToken, time.Hour, lwa.ErrExpiredToken},
		{"after expiry", iss, tok.AccessToken, 2 * time.Hour, lwa.ErrExpiredToken},
		{"restarted issuer, same secret", lwa.NewIssuer("client", "secret", 0, clock), tok.AccessToken, 0, nil},
		{"rotated secret", lwa.NewIssuer("client", "other", 0, clock), tok.AccessToken, 0, lwa.ErrInvalidToken},
		{"other client", lwa.NewIssuer("other", "secret", 0, clock), tok.AccessToken, 0, lwa.ErrInvalidToken},
		{"forged expiry", iss, forged, 0, lwa.ErrInvalidToken},
		{"no prefix", iss, strings.TrimPrefix(tok.AccessToken, "Atc|"), 0, lwa.ErrInvalidToken},
		{"not base64", iss, "Atc|***", 0, lwa.ErrInvalidToken},
		{"truncated", iss, tok.AccessToken[:len(tok.AccessToken)-4], 0, lwa.ErrInvalidToken},
		{"empty", iss, "", 0, lwa.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = start.Add(tt.at)
			err := tt.issuer.Verify(tt.token)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	iss := lwa.NewIssuer("client", "secret", time.Minute, time.Now)
	tests := []struct {
		id, secret string
		want       bool
	}{
		{"client", "secret", true},
		{"client", "Secret", false},
		{"client", "", false},
		{"other", "secret", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := iss.Authenticate(tt.id, tt.secret); got != tt.want {
			t.Errorf("Authenticate(%q, %q) = %v, want %v", tt.id, tt.secret, got, tt.want)
		}
	}
	if got := iss.Issue().ExpiresIn; got != 60 {
		t.Errorf("ExpiresIn with a 1 min ttl = %d", got)
	}
}
