package account_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
)

func TestFakeStoreContract(t *testing.T) {
	accounttest.RunStoreSuite(t, func(t *testing.T) account.Store { return accounttest.NewStore() })
}

func TestAuthenticate(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	store := accounttest.NewStore()
	svc := account.NewService(store, func() time.Time { return now })
	ctx := context.Background()
	if err := svc.Create(ctx, account.Account{ID: "acc-1", Plan: "premium"}, "good", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := store.PutToken(ctx, account.Token{Value: "old", AccountID: "acc-1", ExpiresAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := store.PutToken(ctx, account.Token{Value: "orphan", AccountID: "gone", ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		token   string
		wantErr error
	}{
		{"good", nil},
		{"", account.ErrNotFound},
		{"unknown", account.ErrNotFound},
		{"old", account.ErrExpired},
		{"orphan", account.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.token, func(t *testing.T) {
			a, err := svc.Authenticate(ctx, c.token)
			if !errors.Is(err, c.wantErr) || (c.wantErr == nil && err != nil) {
				t.Fatalf("Authenticate(%q) err = %v, want %v", c.token, err, c.wantErr)
			}
			if c.wantErr == nil && a.ID != "acc-1" {
				t.Fatalf("account = %+v", a)
			}
		})
	}
}
