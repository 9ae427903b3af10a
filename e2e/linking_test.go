package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLinkANewAccount links an account that did not exist, as a user would
// in `make run`: alexa-sim sends the browser to the partner's sign-in
// (infra/partneroauth), a new name creates the account, the code comes back
// to alexa-sim, which exchanges it for tokens and sends AcceptGrant. A TV
// of that account then registers with the linked token and plays what is
// said to it; the seeded account's TV still obeys too.
func TestLinkANewAccount(t *testing.T) {
	s := startStack(t)
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// 1. alexa-sim → the partner's sign-in page.
	resp, err := client.Get(s.url("ALEXA_SIM_ADDR", "/v1/accounts/link/start"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	signIn, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil || signIn.Host != s.addrs["PARTNER_ADDR"] {
		t.Fatalf("link start: %d → %v (%v)", resp.StatusCode, signIn, err)
	}
	resp, err = client.Get(signIn.String())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `name="user"`) {
		t.Fatalf("sign-in page %d: %s", resp.StatusCode, page)
	}

	// 2. The user signs in with a new name and is sent back with a code.
	form := signIn.Query()
	form.Set("user", "e2e-new-viewer")
	form.Set("plan", "on-demand")
	form.Set("action", "allow")
	resp, err = client.PostForm("http://"+s.addrs["PARTNER_ADDR"]+"/oauth/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil || callback.Host != s.addrs["ALEXA_SIM_ADDR"] || callback.Query().Get("code") == "" {
		t.Fatalf("sign-in: %d → %v (%v)", resp.StatusCode, callback, err)
	}

	// 3. alexa-sim exchanges the code and sends AcceptGrant to the skill.
	resp, err = client.Get(callback.String())
	if err != nil {
		t.Fatal(err)
	}
	var linked struct {
		Intent   string          `json:"intent"`
		Response json.RawMessage `json:"response"`
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(raw, &linked); err != nil || resp.StatusCode != http.StatusOK || linked.Intent != "Alexa.Authorization.AcceptGrant" {
		t.Fatalf("callback: %d %s", resp.StatusCode, raw)
	}
	if got := responseName(t, linked.Response); got != "Alexa.Authorization.AcceptGrant.Response" {
		t.Fatalf("AcceptGrant answered %s: %s", got, linked.Response)
	}
	var accounts struct {
		Accounts []struct {
			AccessToken string    `json:"accessToken"`
			Expires     time.Time `json:"expires"`
		} `json:"accounts"`
	}
	getJSON(t, s.url("ALEXA_SIM_ADDR", "/v1/accounts"), &accounts)
	if len(accounts.Accounts) != 1 || !strings.HasPrefix(accounts.Accounts[0].AccessToken, "pat_") || time.Until(accounts.Accounts[0].Expires) < 30*time.Minute {
		t.Fatalf("linked accounts %+v", accounts)
	}
	token := accounts.Accounts[0].AccessToken

	// 4. The new account's TV registers with the linked token.
	tvAddr := freeAddr(t)
	tv := exec.Command(filepath.Join(os.Getenv("LIVINGROOM_BIN"), "tvapp-sim"))
	tv.Env = append(os.Environ(), "TVAPP_ADDR="+tvAddr, "TVAPP_ACCOUNT_TOKEN="+token, "TVAPP_DEVICE_ID=e2e-linked",
		"TVAPP_FRIENDLY_NAME=Bedroom TV", "DEVICE_PUSH_URL="+s.url("DEVICE_PUSH_ADDR", ""),
		"DEVICE_API_URL="+s.url("DEVICE_API_ADDR", ""), "ALEXA_SIM_URL="+s.url("ALEXA_SIM_ADDR", ""))
	tvLog, err := os.Create(filepath.Join(s.runDir, "logs", "tvapp-sim-linked.log"))
	if err != nil {
		t.Fatal(err)
	}
	tv.Stdout, tv.Stderr = tvLog, tvLog
	if err := tv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = tv.Process.Signal(os.Interrupt)
		_ = tv.Wait()
		tvLog.Close()
	})
	endpointID := ""
	waitFor(t, 20*time.Second, "the new account's TV to register", func() bool {
		var list struct {
			Endpoints []struct{ EndpointID, FriendlyName, Token string } `json:"endpoints"`
		}
		getJSON(t, s.url("ALEXA_SIM_ADDR", "/v1/endpoints"), &list)
		for _, ep := range list.Endpoints {
			if ep.Token == token && ep.FriendlyName == "Bedroom TV" {
				endpointID = ep.EndpointID
			}
		}
		return endpointID != ""
	})
	waitFor(t, 20*time.Second, "the new account's TV to connect", func() bool {
		var st struct{ Registered, Connected bool }
		getJSON(t, "http://"+tvAddr+"/v1/state", &st)
		return st.Registered && st.Connected
	})

	// 5. It plays what the new account's owner says, with the linked token.
	body := fmt.Sprintf(`{"utterance":"watch The Handmaid's Tale","endpointId":%q}`, endpointID)
	status, reply := s.post(t, "ALEXA_SIM_ADDR", "/v1/say", body)
	var said struct {
		Directive struct {
			Directive struct {
				Endpoint struct {
					Scope struct{ Token string } `json:"scope"`
				} `json:"endpoint"`
			} `json:"directive"`
		} `json:"directive"`
		Response json.RawMessage `json:"response"`
		Error    json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal([]byte(reply), &said); err != nil || status != http.StatusOK || len(said.Error) > 0 {
		t.Fatalf("say: %d %s", status, reply)
	}
	if said.Directive.Directive.Endpoint.Scope.Token != token || responseName(t, said.Response) != "Alexa.Response" {
		t.Fatalf("directive token %q (want the linked %q), reply %s", said.Directive.Directive.Endpoint.Scope.Token, token, said.Response)
	}
	waitFor(t, 20*time.Second, "the new account's TV to play", func() bool {
		var st struct {
			PlaybackState string `json:"playbackState"`
			Content       *struct {
				SeriesTitle string `json:"seriesTitle"`
			} `json:"content"`
		}
		getJSON(t, "http://"+tvAddr+"/v1/state", &st)
		return st.PlaybackState == "PLAYING" && st.Content != nil && st.Content.SeriesTitle == "The Handmaid's Tale"
	})

	// 6. The seeded account stays linked: its TV plays too.
	first := ""
	var list struct {
		Endpoints []struct{ EndpointID, Token string } `json:"endpoints"`
	}
	getJSON(t, s.url("ALEXA_SIM_ADDR", "/v1/endpoints"), &list)
	for _, ep := range list.Endpoints {
		if ep.Token == "dev-token" {
			first = ep.EndpointID
		}
	}
	if status, reply := s.post(t, "ALEXA_SIM_ADDR", "/v1/say", fmt.Sprintf(`{"utterance":"watch Palm Springs","endpointId":%q}`, first)); status != http.StatusOK || strings.Contains(reply, `"error":{`) {
		t.Fatalf("seeded account's TV: %d %s", status, reply)
	}
	s.waitState(t, time.Now(), "the seeded TV playing", func(st tvState) bool { return st.PlaybackState == "PLAYING" })
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}
