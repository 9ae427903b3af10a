package linking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/internal/clocktest"
)

// partner is a fake OAuth 2.0 server of the partner's account service.
type partner struct {
	mu       sync.Mutex
	codes    map[string]bool
	refresh  map[string]bool
	issued   int
	refuse   bool
	lastForm url.Values
}

func (p *partner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id, secret, ok := r.BasicAuth()
	r.ParseForm()
	p.lastForm = r.PostForm
	w.Header().Set("Content-Type", "application/json")
	if !ok || id != "alexa" || secret != "s3cret" {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"invalid_client"}`)
		return
	}
	valid := false
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		valid = p.codes[r.PostForm.Get("code")] && r.PostForm.Get("redirect_uri") == "http://alexa-sim/cb"
		delete(p.codes, r.PostForm.Get("code"))
	case "refresh_token":
		valid = p.refresh[r.PostForm.Get("refresh_token")] && !p.refuse
	}
	if !valid {
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"invalid_grant"}`)
		return
	}
	p.issued++
	rt := fmt.Sprintf("refresh-%d", p.issued)
	p.refresh[rt] = true
	json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("access-%d", p.issued), "token_type": "Bearer",
		"expires_in": 120, "refresh_token": rt})
}

func newLinker(t *testing.T) (*Linker, *partner, *clocktest.Clock) {
	t.Helper()
	p := &partner{codes: map[string]bool{"code-1": true}, refresh: map[string]bool{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	clock := clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	l := New(Config{AuthorizeURL: "http://partner/oauth/authorize?tenant=x", TokenURL: srv.URL, ClientID: "alexa", ClientSecret: "s3cret",
		RedirectURL: "http://alexa-sim/cb", Scope: "profile", HTTP: srv.Client(), Now: clock.Now})
	return l, p, clock
}

func TestLinkAndRefresh(t *testing.T) {
	t.Parallel()
	l, p, clock := newLinker(t)
	start, err := l.Start()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(start)
	q := u.Query()
	if u.Host != "partner" || q.Get("tenant") != "x" || q.Get("response_type") != "code" || q.Get("client_id") != "alexa" ||
		q.Get("redirect_uri") != "http://alexa-sim/cb" || q.Get("scope") != "profile" || len(q.Get("state")) < 16 {
		t.Fatalf("authorize URL %s", start)
	}
	acct, err := l.Finish(context.Background(), q.Get("state"), "code-1")
	if err != nil {
		t.Fatal(err)
	}
	if acct.AccessToken != "access-1" || !acct.Expires.Equal(clock.Now().Add(2*time.Minute)) {
		t.Errorf("account %+v", acct)
	}
	// The state is single use.
	if _, err := l.Finish(context.Background(), q.Get("state"), "code-1"); !errors.Is(err, ErrUnknownState) {
		t.Errorf("replayed state: %v", err)
	}

	// Directives carry the current token; a minute before expiry it is refreshed.
	if tok, err := l.Token(context.Background(), "access-1"); err != nil || tok != "access-1" {
		t.Errorf("Token = %q, %v", tok, err)
	}
	clock.Advance(61 * time.Second)
	tok, err := l.Token(context.Background(), "access-1")
	if err != nil || tok != "access-2" || p.lastForm.Get("refresh_token") != "refresh-1" {
		t.Fatalf("after refresh: %q, %v (form %v)", tok, err, p.lastForm)
	}
	// An endpoint registered with the first token still gets the newest one.
	if tok, _ := l.Token(context.Background(), "access-1"); tok != "access-2" {
		t.Errorf("old token maps to %q", tok)
	}
	// Tokens of seeded accounts pass unchanged.
	if tok, _ := l.Token(context.Background(), "dev-token"); tok != "dev-token" {
		t.Errorf("dev-token → %q", tok)
	}
	if got := l.Accounts(); len(got) != 1 || got[0].Refreshed != 1 || got[0].AccessToken != "access-2" {
		t.Errorf("accounts %+v", got)
	}

	// A refused refresh is an error, not the stale token.
	clock.Advance(2 * time.Minute)
	p.mu.Lock()
	p.refuse = true
	p.mu.Unlock()
	if _, err := l.Token(context.Background(), "access-2"); !errors.Is(err, ErrRefused) {
		t.Errorf("refused refresh: %v", err)
	}
}

func TestFinishRejects(t *testing.T) {
	t.Parallel()
	l, _, clock := newLinker(t)
	if _, err := l.Finish(context.Background(), "made-up", "code-1"); !errors.Is(err, ErrUnknownState) {
		t.Errorf("made-up state: %v", err)
	}
	start, _ := l.Start()
	u, _ := url.Parse(start)
	if _, err := l.Finish(context.Background(), u.Query().Get("state"), "wrong-code"); !errors.Is(err, ErrRefused) {
		t.Errorf("wrong code: %v", err)
	}
	start, _ = l.Start()
	u, _ = url.Parse(start)
	clock.Advance(pendingTTL)
	if _, err := l.Finish(context.Background(), u.Query().Get("state"), "code-1"); !errors.Is(err, ErrUnknownState) {
		t.Errorf("expired state: %v", err)
	}
	if _, err := New(Config{}).Start(); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("unconfigured: %v", err)
	}
}

func TestBadTokenReplies(t *testing.T) {
	t.Parallel()
	for name, reply := range map[string]string{
		"not json":         `<html>`,
		"no access token":  `{"token_type":"Bearer","refresh_token":"r"}`,
		"not bearer":       `{"access_token":"a","token_type":"mac","refresh_token":"r"}`,
		"no refresh token": `{"access_token":"a","token_type":"Bearer"}`,
		"huge":             `{"access_token":"` + strings.Repeat("a", 70<<10) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, reply) }))
			defer srv.Close()
			clock := clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			l := New(Config{AuthorizeURL: "http://p/a", TokenURL: srv.URL, RedirectURL: "http://s/cb", Now: clock.Now})
			start, _ := l.Start()
			u, _ := url.Parse(start)
			if _, err := l.Finish(context.Background(), u.Query().Get("state"), "c"); !errors.Is(err, ErrRefused) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestPartnerHangs(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	clock := clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	l := New(Config{AuthorizeURL: "http://p/a", TokenURL: srv.URL, RedirectURL: "http://s/cb", Now: clock.Now, Timeout: 50 * time.Millisecond})
	start, _ := l.Start()
	u, _ := url.Parse(start)
	if _, err := l.Finish(context.Background(), u.Query().Get("state"), "c"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
}
