package hub_test

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"testing/iotest"

	"livingroom/device-push/hub"
)

func TestRegistrationID(t *testing.T) {
	id, err := hub.NewRegistrationID(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !hub.ValidRegistrationID(id) {
		t.Fatalf("fresh id %q is not valid", id)
	}
	fixed, err := hub.NewRegistrationID(bytes.NewReader(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if want := hub.RegistrationPrefix + strings.Repeat("A", 43); fixed != want {
		t.Errorf("id from zero bytes = %q, want %q", fixed, want)
	}
	if _, err := hub.NewRegistrationID(iotest.ErrReader(iotest.ErrTimeout)); err == nil {
		t.Error("no error from a failing random source")
	}

	body := strings.Repeat("A", 43)
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"issued", id, true},
		{"all zero", hub.RegistrationPrefix + body, true},
		{"empty", "", false},
		{"no prefix", body, false},
		{"other version", "amzn1.adm-registration.v2." + body, false},
		{"short", hub.RegistrationPrefix + body[1:], false},
		{"long", hub.RegistrationPrefix + body + "A", false},
		{"padding", hub.RegistrationPrefix + body[1:] + "=", false},
		{"std alphabet", hub.RegistrationPrefix + body[1:] + "+", false},
		{"slash", hub.RegistrationPrefix + body[1:] + "/", false},
		// The last character carries 2 unused bits; a second spelling of the
		// same bytes must not be a second registration.
		{"non-canonical tail", hub.RegistrationPrefix + body[:42] + "B", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hub.ValidRegistrationID(tt.id); got != tt.want {
				t.Errorf("ValidRegistrationID(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

func TestSecret(t *testing.T) {
	s, err := hub.NewSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := hub.Registration{SecretHash: hub.HashSecret(s)}
	tests := []struct {
		name   string
		secret string
		valid  bool
		match  bool
	}{
		{"issued", s, true, true},
		{"empty", "", false, false},
		{"one character off", "A" + s[1:], true, s[0] == 'A'},
		{"short", s[1:], false, false},
		{"long", s + "A", false, false},
		{"padding", s[1:] + "=", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hub.ValidSecret(tt.secret); got != tt.valid {
				t.Errorf("ValidSecret = %v, want %v", got, tt.valid)
			}
			if got := hub.SecretMatches(r, tt.secret); got != tt.match {
				t.Errorf("SecretMatches = %v, want %v", got, tt.match)
			}
		})
	}
}
