package server_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"livingroom/device-push/hub"
	"livingroom/device-push/lwa"
	"livingroom/internal/adm"
)

func TestHealthz(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	resp, err := http.Get(e.ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	decode(t, resp, http.StatusOK, &body)
	if body["status"] != "ok" {
		t.Errorf("body = %v", body)
	}
}

func TestToken(t *testing.T) {
	good := url.Values{
		"grant_type": {"client_credentials"}, "scope": {"messaging:push"},
		"client_id": {clientID}, "client_secret": {clientSecret},
	}
	with := func(key, value string) url.Values {
		v := url.Values{}
		for k, vs := range good {
			v[k] = vs
		}
		if value == "" {
			v.Del(key)
		} else {
			v.Set(key, value)
		}
		return v
	}
	basicOnly := with("client_id", "")
	basicOnly.Del("client_secret")

	tests := []struct {
		name      string
		form      url.Values
		basic     []string // id, secret
		status    int
		wantError string
	}{
		{name: "form credentials", form: good, status: 200},
		{name: "basic credentials", form: basicOnly, basic: []string{clientID, clientSecret}, status: 200},
		{name: "wrong secret", form: with("client_secret", "nope"), status: 401, wantError: "invalid_client"},
		{name: "wrong client", form: with("client_id", "nope"), status: 401, wantError: "invalid_client"},
		{name: "wrong basic secret", form: basicOnly, basic: []string{clientID, "nope"}, status: 401, wantError: "invalid_client"},
		{name: "no credentials", form: basicOnly, status: 400, wantError: "invalid_request"},
		{name: "no secret", form: with("client_secret", ""), status: 400, wantError: "invalid_request"},
		{name: "no grant type", form: with("grant_type", ""), status: 400, wantError: "invalid_request"},
		{name: "other grant type", form: with("grant_type", "authorization_code"), status: 400, wantError: "unsupported_grant_type"},
		{name: "other scope", form: with("scope", "profile"), status: 400, wantError: "invalid_scope"},
		{name: "no scope", form: with("scope", ""), status: 400, wantError: "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, hub.ConnConfig{})
			req, _ := http.NewRequest(http.MethodPost, e.ts.URL+adm.TokenPath, strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
			if tt.basic != nil {
				req.SetBasicAuth(tt.basic[0], tt.basic[1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q", cc)
			}
			if tt.wantError != "" {
				var te adm.TokenError
				decode(t, resp, tt.status, &te)
				if te.Error != tt.wantError || te.ErrorDescription == "" {
					t.Errorf("error = %+v, want %s", te, tt.wantError)
				}
				return
			}
			var tok adm.Token
			decode(t, resp, tt.status, &tok)
			if tok.ExpiresIn != 3600 || tok.Scope != "messaging:push" || tok.TokenType != "bearer" ||
				!strings.HasPrefix(tok.AccessToken, "Atc|") {
				t.Errorf("token = %+v", tok)
			}
			if err := lwa.NewIssuer(clientID, clientSecret, 0, e.clk.Now).Verify(tok.AccessToken); err != nil {
				t.Errorf("issued token does not verify: %v", err)
			}
		})
	}
}

func TestSendRejections(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	ctx := context.Background()
	known := mustID(t, 1)
	unknown := mustID(t, 2)
	if err := e.store.CreateRegistration(ctx, hub.Registration{ID: known}); err != nil {
		t.Fatal(err)
	}
	token := e.token(t)
	data := map[string]string{"a": "1", "b": "2"}
	sum := adm.DataMD5(data)
	big := strings.Repeat("x", adm.MaxDataBytes) // plus its key: one byte over

	header := func(k, v string) func(*http.Request) {
		return func(r *http.Request) {
			if v == "" {
				r.Header.Del(k)
			} else {
				r.Header.Set(k, v)
			}
		}
	}
	tests := []struct {
		name   string
		id     string
		body   string
		edit   func(*http.Request)
		status int
		reason string
	}{
		{name: "no authorization", edit: header("Authorization", ""), status: 401, reason: "AccessTokenExpired"},
		{name: "not bearer", edit: header("Authorization", "Basic "+token), status: 401, reason: "AccessTokenExpired"},
		{name: "bearer without token", edit: header("Authorization", "Bearer"), status: 401, reason: "AccessTokenExpired"},
		{name: "forged token", edit: header("Authorization", "Bearer Atc|forged"), status: 401, reason: "AccessTokenExpired"},
		{name: "no type version", edit: header(adm.HeaderTypeVersion, ""), status: 400, reason: "InvalidType"},
		{name: "other type version", edit: header(adm.HeaderTypeVersion, "com.amazon.device.messaging.ADMMessage@2.0"), status: 400, reason: "InvalidType"},
		{name: "no accept type", edit: header(adm.HeaderAcceptType, ""), status: 400, reason: "InvalidType"},
		{name: "other accept type", edit: header(adm.HeaderAcceptType, "application/json"), status: 400, reason: "InvalidType"},
		{name: "malformed registration id", id: "not-an-id", status: 400, reason: "InvalidRegistrationId"},
		{name: "foreign registration id", id: "amzn1.adm-registration.v3.Y29tLmFtYXpvbi5EZXZpY2VNZXNzYWdpbmc", status: 400, reason: "InvalidRegistrationId"},
		{name: "unknown registration id", id: unknown, status: 400, reason: "Unregistered"},
		{name: "malformed JSON", body: `{"data":`, status: 400, reason: "InvalidData"},
		{name: "body not an object", body: `["data"]`, status: 400, reason: "InvalidData"},
		{name: "blank body", body: " ", status: 400, reason: "InvalidData"},
		{name: "no data", body: `{"consolidationKey":"k"}`, status: 400, reason: "InvalidData"},
		{name: "null data", body: `{"data":null}`, status: 400, reason: "InvalidData"},
		{name: "data array", body: `{"data":["a"]}`, status: 400, reason: "InvalidData"},
		{name: "data number value", body: `{"data":{"a":1}}`, status: 400, reason: "InvalidData"},
		{name: "data null value", body: `{"data":{"a":null}}`, status: 400, reason: "InvalidData"},
		{name: "data nested object", body: `{"data":{"a":{"b":"c"}}}`, status: 400, reason: "InvalidData"},
		{name: "data over 6 KB", body: fmt.Sprintf(`{"data":{"k":%q}}`, big), status: 413, reason: "MessageTooLarge"},
		{name: "body over 64 KB", body: fmt.Sprintf(`{"data":{"k":%q}}`, strings.Repeat("x", 70<<10)), status: 413, reason: "MessageTooLarge"},
		{name: "wrong md5", body: `{"data":{"a":"1","b":"2"},"md5":"1B2M2Y8AsgTpgAmY7PhCfg=="}`, status: 400, reason: "InvalidChecksum"},
		{name: "md5 not a string", body: `{"data":{"a":"1","b":"2"},"md5":5}`, status: 400, reason: "InvalidChecksum"},
		{name: "expiresAfter zero", body: `{"data":{},"expiresAfter":0}`, status: 400, reason: "InvalidExpiration"},
		{name: "expiresAfter negative", body: `{"data":{},"expiresAfter":-5}`, status: 400, reason: "InvalidExpiration"},
		{name: "expiresAfter over 31 days", body: `{"data":{},"expiresAfter":2678401}`, status: 400, reason: "InvalidExpiration"},
		{name: "expiresAfter fractional", body: `{"data":{},"expiresAfter":1.5}`, status: 400, reason: "InvalidExpiration"},
		{name: "expiresAfter string", body: `{"data":{},"expiresAfter":"60"}`, status: 400, reason: "InvalidExpiration"},
		{name: "consolidationKey too long", body: fmt.Sprintf(`{"data":{},"consolidationKey":%q}`, strings.Repeat("k", 65)), status: 400, reason: "InvalidConsolidationKey"},
		{name: "consolidationKey not a string", body: `{"data":{},"consolidationKey":7}`, status: 400, reason: "InvalidConsolidationKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, body := tt.id, tt.body
			if id == "" {
				id = known
			}
			if body == "" {
				body = fmt.Sprintf(`{"data":{"a":"1","b":"2"},"md5":%q}`, sum)
			}
			req := e.sendRequest(t, token, id, body)
			if tt.edit != nil {
				tt.edit(req)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var eb adm.ErrorBody
			decode(t, resp, tt.status, &eb)
			if eb.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", eb.Reason, tt.reason)
			}
			if _, err := uuid.Parse(resp.Header.Get(adm.HeaderRequestID)); err != nil {
				t.Errorf("%s = %q: %v", adm.HeaderRequestID, resp.Header.Get(adm.HeaderRequestID), err)
			}
		})
	}
	if st := e.status(t, known); st.Pending != 0 {
		t.Errorf("rejected sends left %d pending", st.Pending)
	}
}

func TestSendAccepted(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	id := e.registered(t)
	token := e.token(t)
	exactly6KB := map[string]string{"k": strings.Repeat("x", adm.MaxDataBytes-1)}

	tests := []struct {
		name   string
		scheme string
		body   string
		data   map[string]string
	}{
		{name: "minimal", body: `{"data":{"a":"1"}}`, data: map[string]string{"a": "1"}},
		{name: "lower-case scheme", scheme: "bearer", body: `{"data":{"a":"1"}}`, data: map[string]string{"a": "1"}},
		{name: "empty data", body: `{"data":{}}`, data: map[string]string{}},
		{name: "with md5", body: fmt.Sprintf(`{"data":{"a":"1","b":"2"},"md5":%q}`, adm.DataMD5(map[string]string{"a": "1", "b": "2"})), data: map[string]string{"a": "1", "b": "2"}},
		{name: "exactly 6 KB", body: fmt.Sprintf(`{"data":{"k":%q}}`, exactly6KB["k"]), data: exactly6KB},
		{name: "shortest expiry", body: `{"data":{},"expiresAfter":1}`, data: map[string]string{}},
		{name: "longest expiry", body: `{"data":{},"expiresAfter":2678400}`, data: map[string]string{}},
		{name: "64-char key", body: fmt.Sprintf(`{"data":{},"consolidationKey":%q}`, strings.Repeat("é", 64)), data: map[string]string{}},
		{name: "with priority and notification", body: `{"data":{"a":"1"},"priority":"high","notification":{"title":"t"}}`, data: map[string]string{"a": "1"}},
		{name: "unicode", body: `{"data":{"titre":"Amélie \u2603"}}`, data: map[string]string{"titre": "Amélie ☃"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := e.sendRequest(t, token, id, tt.body)
			if tt.scheme != "" {
				req.Header.Set("Authorization", tt.scheme+" "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var res adm.SendResult
			decode(t, resp, http.StatusOK, &res)
			if res.RegistrationID != id {
				t.Errorf("registrationID = %q, want %q", res.RegistrationID, id)
			}
			if _, err := uuid.Parse(resp.Header.Get(adm.HeaderRequestID)); err != nil {
				t.Errorf("%s: %v", adm.HeaderRequestID, err)
			}
			if got, want := resp.Header.Get(adm.HeaderDataMD5), adm.DataMD5(tt.data); got != want {
				t.Errorf("%s = %q, want %q", adm.HeaderDataMD5, got, want)
			}
		})
	}
}

func TestSendTokenExpiry(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	id := e.registered(t)
	token := e.token(t)
	tests := []struct {
		at     time.Duration
		status int
	}{
		{0, 200},
		{time.Hour - time.Second, 200},
		{time.Hour, 401},
		{48 * time.Hour, 401},
	}
	for _, tt := range tests {
		t.Run(tt.at.String(), func(t *testing.T) {
			e.clk.Set(start.Add(tt.at))
			resp, err := http.DefaultClient.Do(e.sendRequest(t, token, id, `{"data":{}}`))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func TestRegistrationStatus(t *testing.T) {
	e := newEnv(t, hub.ConnConfig{})
	known := mustID(t, 1)
	if err := e.store.CreateRegistration(context.Background(), hub.Registration{ID: known}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id     string
		status int
	}{
		{known, 200},
		{mustID(t, 2), 404},
		{"garbage", 404},
	}
	for _, tt := range tests {
		resp, err := http.Get(e.ts.URL + "/v1/registrations/" + tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if tt.status == 200 {
			var st hub.Status
			decode(t, resp, 200, &st)
			if want := (hub.Status{RegistrationID: known}); st != want {
				t.Errorf("status = %+v, want %+v", st, want)
			}
			continue
		}
		var eb adm.ErrorBody
		decode(t, resp, tt.status, &eb)
		if eb.Reason != "Unregistered" {
			t.Errorf("%s: reason = %q", tt.id, eb.Reason)
		}
	}
}

// mustID is a well-formed registration id built from one repeated byte.
func mustID(t testing.TB, b byte) string {
	t.Helper()
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = b
	}
	return hub.RegistrationPrefix + base64.RawURLEncoding.EncodeToString(raw)
}
