package partneroauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"livingroom/alexa-sim/linking"
	"livingroom/infra/partneroauth"
	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
)

const redirectURI = "http://alexa.test/v1/accounts/link/callback"

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	srv      *httptest.Server
	store    *accounttest.Store
	accounts *account.Service
	clock    *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := &clock{now: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)}
	store := accounttest.NewStore()
	if err := account.NewService(store, clk.Now).Create(context.Background(), account.Account{ID: "dev-account", Plan: account.PlanLiveTVDVR}, "dev-token", time.Hour); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(partneroauth.New(partneroauth.Config{
		RedirectURIs: []string{redirectURI}, AccessTTL: 10 * time.Minute, Accounts: store, Now: clk.Now,
	}))
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, store: store, accounts: account.NewService(store, clk.Now), clock: clk}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signIn posts the sign-in form and returns where the user is sent back.
func (f *fixture) signIn(t *testing.T, form url.Values) (int, *url.URL, string) {
	t.Helper()
	resp, err := noRedirect.PostForm(f.srv.URL+"/oauth/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	loc, _ := resp.Location()
	return resp.StatusCode, loc, string(body)
}

func form(kv ...string) url.Values {
	v := url.Values{"response_type": {"code"}, "client_id": {"alexa"}, "redirect_uri": {redirectURI}, "state": {"st-1"}, "action": {"allow"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v
}

func (f *fixture) tokenRequest(t *testing.T, v url.Values, user, pass string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/oauth/token", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, m
}

// The whole flow with alexa-sim's linking client: a new user signs in, the
// code becomes tokens the skill's account service accepts, the refresh
// grant gives a new one before expiry, and the seeded account stays.
func TestLinkANewAccountWithAlexasClient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	linker := linking.New(linking.Config{
		AuthorizeURL: f.srv.URL + "/oauth/authorize", TokenURL: f.srv.URL + "/oauth/token",
		ClientID: "alexa", ClientSecret: partneroauth.DefaultClientSecret, RedirectURL: redirectURI, Now: f.clock.Now,
	})
	start, err := linker.Start()
	if err != nil {
		t.Fatal(err)
	}
	// The sign-in page, as the browser gets it.
	resp, err := http.Get(start)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `name="user"`) || !strings.Contains(string(page), redirectURI) {
		t.Fatalf("sign-in page %d:\n%s", resp.StatusCode, page)
	}
	su, _ := url.Parse(start)
	q := su.Query()
	status, back, _ := f.signIn(t, form("state", q.Get("state"), "user", "alice", "plan", account.PlanOnDemand))
	if status != http.StatusFound || back.Host != "alexa.test" || back.Query().Get("code") == "" || back.Query().Get("state") != q.Get("state") {
		t.Fatalf("sign-in: %d → %v", status, back)
	}
	linked, err := linker.Finish(context.Background(), back.Query().Get("state"), back.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.accounts.Authenticate(context.Background(), linked.AccessToken)
	if err != nil || a.ID != "alice" || a.Plan != account.PlanOnDemand {
		t.Fatalf("the skill would see %+v, %v", a, err)
	}
	if !linked.Expires.Equal(f.clock.Now().Add(10 * time.Minute)) {
		t.Errorf("expires %v", linked.Expires)
	}

	// A minute before expiry, Alexa refreshes; the new token works too.
	f.clock.Add(9*time.Minute + time.Second)
	fresh, err := linker.Token(context.Background(), linked.AccessToken)
	if err != nil || fresh == linked.AccessToken {
		t.Fatalf("refresh: %q, %v", fresh, err)
	}
	if a, err := f.accounts.Authenticate(context.Background(), fresh); err != nil || a.ID != "alice" {
		t.Fatalf("refreshed token: %+v, %v", a, err)
	}
	f.clock.Add(time.Minute)
	if _, err := f.accounts.Authenticate(context.Background(), linked.AccessToken); !errors.Is(err, account.ErrExpired) {
		t.Errorf("the first token after its expiry: %v", err)
	}

	// Signing in as the seeded account links it without changing its plan.
	status, back, _ = f.signIn(t, form("user", "dev-account", "plan", account.PlanOnDemand))
	if status != http.StatusFound || back.Query().Get("code") == "" {
		t.Fatalf("seeded sign-in: %d %v", status, back)
	}
	if a, _ := f.store.GetAccount(context.Background(), "dev-account"); a.Plan != account.PlanLiveTVDVR {
		t.Errorf("seeded account's plan became %q", a.Plan)
	}
	if _, err := f.accounts.Authenticate(context.Background(), "dev-token"); err != nil {
		t.Errorf("seeded token: %v", err)
	}
}

func TestSignInRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name   string
		form   url.Values
		status int
		errArg string // the error sent back to the redirect URI
		body   string
	}{
		{"unknown client", form("client_id", "mallory"), 400, "", "unknown client"},
		{"unregistered redirect", form("redirect_uri", "http://evil.test/cb"), 400, "", "redirect URI not registered"},
		{"no redirect", form("redirect_uri", ""), 400, "", "redirect URI not registered"},
		{"token response type", form("response_type", "token", "user", "bob"), 302, "unsupported_response_type", ""},
		{"cancelled", form("action", "deny", "user", "bob"), 302, "access_denied", ""},
		{"no user", form(), 400, "", "An account name is"},
		{"upper case user", form("user", "Bob"), 400, "", "An account name is"},
		{"long user", form("user", strings.Repeat("b", 65)), 400, "", "An account name is"},
		{"unknown plan", form("user", "bob", "plan", "gold"), 400, "", "An account name is"},
		{"markup in state", form("user", "<script>", "state", `"><script>alert(1)</script>`), 400, "", "&#34;&gt;&lt;script&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, back, body := f.signIn(t, tt.form)
			if status != tt.status || !strings.Contains(body, tt.body) {
				t.Fatalf("%d %q, want %d %q", status, body, tt.status, tt.body)
			}
			if tt.errArg != "" && (back == nil || back.Query().Get("error") != tt.errArg || back.Query().Get("code") != "" || back.Query().Get("state") != "st-1") {
				t.Fatalf("sent back to %v, want error=%s", back, tt.errArg)
			}
			if _, err := f.store.GetAccount(context.Background(), "bob"); err == nil {
				t.Fatal("an account was created")
			}
		})
	}
	if resp, err := http.Get(f.srv.URL + "/oauth/authorize?response_type=code&client_id=alexa&redirect_uri=http://evil.test/"); err != nil || resp.StatusCode != 400 {
		t.Errorf("GET with an unregistered redirect: %v %v", resp.StatusCode, err)
	}
}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code := func() string {
		_, back, _ := f.signIn(t, form("user", "carol"))
		return back.Query().Get("code")
	}
	used := code()
	if status, m := f.tokenRequest(t, url.Values{"grant_type": {"authorization_code"}, "code": {used}, "redirect_uri": {redirectURI}}, "alexa", partneroauth.DefaultClientSecret); status != 200 || m["token_type"] != "bearer" || m["expires_in"] != 600.0 {
		t.Fatalf("good exchange: %d %v", status, m)
	}
	expired := code()
	f.clock.Add(6 * time.Minute)
	basic := url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {redirectURI}}
	with := func(v url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, vs := range v {
			out[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name       string
		form       url.Values
		user, pass string
		status     int
		err        string
	}{
		{"used code", with(basic, "code", used), "alexa", partneroauth.DefaultClientSecret, 400, "invalid_grant"},
		{"expired code", with(basic, "code", expired), "alexa", partneroauth.DefaultClientSecret, 400, "invalid_grant"},
		{"other redirect", with(basic, "code", code(), "redirect_uri", "http://evil.test/"), "alexa", partneroauth.DefaultClientSecret, 400, "invalid_grant"},
		{"unknown code", with(basic, "code", "nope"), "alexa", partneroauth.DefaultClientSecret, 400, "invalid_grant"},
		{"wrong secret", with(basic, "code", code()), "alexa", "guess", 401, "invalid_client"},
		{"no client", with(basic, "code", code()), "", "", 401, "invalid_client"},
		{"secret in the form", with(basic, "code", code(), "client_id", "alexa", "client_secret", partneroauth.DefaultClientSecret), "", "", 200, ""},
		{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"prt_x"}}, "alexa", partneroauth.DefaultClientSecret, 400, "invalid_grant"},
		{"implicit grant", url.Values{"grant_type": {"password"}}, "alexa", partneroauth.DefaultClientSecret, 400, "unsupported_grant_type"},
		{"no grant", url.Values{}, "alexa", partneroauth.DefaultClientSecret, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m := f.tokenRequest(t, tt.form, tt.user, tt.pass)
			if status != tt.status || (tt.err != "" && m["error"] != tt.err) {
				t.Fatalf("%d %v, want %d %s", status, m, tt.status, tt.err)
			}
		})
	}

	// A refresh token is rotated: used once, it is gone.
	_, m := f.tokenRequest(t, url.Values{"grant_type": {"authorization_code"}, "code": {code()}, "redirect_uri": {redirectURI}}, "alexa", partneroauth.DefaultClientSecret)
	rt := m["refresh_token"].(string)
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	if status, m := f.tokenRequest(t, refresh, "alexa", partneroauth.DefaultClientSecret); status != 200 || m["refresh_token"] == rt || m["access_token"] == "" {
		t.Fatalf("refresh: %d %v", status, m)
	}
	if status, _ := f.tokenRequest(t, refresh, "alexa", partneroauth.DefaultClientSecret); status != 400 {
		t.Fatalf("second use of a refresh token: %d", status)
	}
}
