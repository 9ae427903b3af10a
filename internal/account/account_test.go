package account_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
	"livingroom/internal/clocktest"
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

// The token cache answers from memory within its TTL, never past the
// token's own expiry, and stays bounded.
func TestTokenCache(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	store := &countingStore{Store: accounttest.NewStore()}
	svc := account.NewService(store, clock.Now).WithCache(30*time.Second, 2)
	if err := svc.Create(ctx, account.Account{ID: "a", Plan: account.PlanOnDemand}, "tok", time.Minute); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name      string
		advance   time.Duration
		wantErr   error
		wantReads int
	}{
		{"first read goes to the store", 0, nil, 2},
		{"second within the TTL is cached", 10 * time.Second, nil, 2},
		{"after the TTL the store is read again", 25 * time.Second, nil, 4},
		{"past the token's expiry the cache does not answer", 30 * time.Second, account.ErrExpired, 5},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		_, err := svc.Authenticate(ctx, "tok")
		if !errors.Is(err, s.wantErr) || (s.wantErr == nil && err != nil) {
			t.Fatalf("%s: err = %v", s.name, err)
		}
		if store.reads != s.wantReads {
			t.Fatalf("%s: %d store reads, want %d", s.name, store.reads, s.wantReads)
		}
	}
	// Bounded: more tokens than max never grow the cache past it.
	for i := range 10 {
		tok := fmt.Sprintf("t%d", i)
		if err := svc.Create(ctx, account.Account{ID: tok, Plan: account.PlanOnDemand}, tok, time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
}

type countingStore struct {
	account.Store
	reads int
}

func (c *countingStore) GetToken(ctx context.Context, v string) (account.Token, error) {
	c.reads++
	return c.Store.GetToken(ctx, v)
}

func (c *countingStore) GetAccount(ctx context.Context, id string) (account.Account, error) {
	c.reads++
	return c.Store.GetAccount(ctx, id)
}
