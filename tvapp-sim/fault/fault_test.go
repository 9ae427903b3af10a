package fault

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestServer(t *testing.T, settle Settler) (*Controller, *clock, *httptest.Server) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	c := New(clk.now)
	srv := httptest.NewServer(NewHandler(c, settle, nil))
	t.Cleanup(srv.Close)
	return c, clk, srv
}

func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestBadRequests(t *testing.T) {
	_, _, srv := newTestServer(t, nil)
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		code   string
	}{
		{"empty body", "POST", Path, ``, 400, "invalid_json"},
		{"not JSON", "POST", Path, `offline`, 400, "invalid_json"},
		{"array", "POST", Path, `[{"fault":"offline"}]`, 400, "invalid_json"},
		{"unknown field", "POST", Path, `{"fault":"offline","extra":1}`, 400, "invalid_json"},
		{"data after the object", "POST", Path, `{"fault":"offline"}{}`, 400, "invalid_json"},
		{"wrong type", "POST", Path, `{"fault":"slow_ack","delayMs":"100"}`, 400, "invalid_json"},
		{"too large", "POST", Path, `{"fault":"offline","x":"` + strings.Repeat("a", 2000) + `"}`, 413, "body_too_large"},
		{"no fault", "POST", Path, `{}`, 400, "unknown_fault"},
		{"unknown fault", "POST", Path, `{"fault":"meteor"}`, 400, "unknown_fault"},
		{"case matters", "POST", Path, `{"fault":"OFFLINE"}`, 400, "unknown_fault"},
		{"offline with a parameter", "POST", Path, `{"fault":"offline","delayMs":5}`, 400, "invalid_parameter"},
		{"power_off with a parameter", "POST", Path, `{"fault":"power_off","skewMs":5}`, 400, "invalid_parameter"},
		{"slow_ack without delay", "POST", Path, `{"fault":"slow_ack"}`, 400, "invalid_parameter"},
		{"slow_ack negative", "POST", Path, `{"fault":"slow_ack","delayMs":-1}`, 400, "invalid_parameter"},
		{"slow_ack too long", "POST", Path, `{"fault":"slow_ack","delayMs":60001}`, 400, "invalid_parameter"},
		{"slow_ack with skew", "POST", Path, `{"fault":"slow_ack","delayMs":10,"skewMs":1}`, 400, "invalid_parameter"},
		{"drop without duration", "POST", Path, `{"fault":"connection_drop"}`, 400, "invalid_parameter"},
		{"drop too long", "POST", Path, `{"fault":"connection_drop","durationMs":600001}`, 400, "invalid_parameter"},
		{"skew zero", "POST", Path, `{"fault":"clock_skew","skewMs":0}`, 400, "invalid_parameter"},
		{"skew too far ahead", "POST", Path, `{"fault":"clock_skew","skewMs":86400001}`, 400, "invalid_parameter"},
		{"skew too far behind", "POST", Path, `{"fault":"clock_skew","skewMs":-86400001}`, 400, "invalid_parameter"},
		{"skew overflow", "POST", Path, `{"fault":"clock_skew","skewMs":1e30}`, 400, "invalid_json"},
		{"clear unknown", "DELETE", Path + "/meteor", ``, 400, "unknown_fault"},
		{"clear inactive", "DELETE", Path + "/offline", ``, 404, "not_active"},
		{"PUT", "PUT", Path, `{"fault":"offline"}`, 405, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, tc.method, srv.URL+tc.path, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if tc.code == "" {
				return
			}
			var e ErrorBody
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error != tc.code || e.Message == "" {
				t.Fatalf("body %s, want error %q with a message", body, tc.code)
			}
			if strings.Contains(body, "meteor") || strings.Contains(body, "aaaa") {
				t.Fatalf("the answer echoes the input: %s", body)
			}
		})
	}
	if _, body := do(t, "GET", srv.URL+Path, ""); strings.TrimSpace(body) != `{"faults":[]}` {
		t.Fatalf("after bad requests: %s", body)
	}
}

func TestInjectListClear(t *testing.T) {
	c, clk, srv := newTestServer(t, nil)
	for _, body := range []string{
		`{"fault":"offline"}`, `{"fault":"slow_ack","delayMs":1500}`, `{"fault":"background"}`,
		`{"fault":"connection_drop","durationMs":2000}`, `{"fault":"power_off"}`, `{"fault":"clock_skew","skewMs":-7000}`,
	} {
		if status, out := do(t, "POST", srv.URL+Path, body); status != 200 {
			t.Fatalf("%s: %d %s", body, status, out)
		}
	}
	want := `{"faults":[{"fault":"offline","since":"2026-01-02T03:04:05.000Z"},{"fault":"slow_ack","delayMs":1500,"since":"2026-01-02T03:04:05.000Z"},{"fault":"background","since":"2026-01-02T03:04:05.000Z"},{"fault":"connection_drop","durationMs":2000,"since":"2026-01-02T03:04:05.000Z","until":"2026-01-02T03:04:07.000Z"},{"fault":"clock_skew","skewMs":-7000,"since":"2026-01-02T03:04:05.000Z"}]}`
	if _, body := do(t, "GET", srv.URL+Path, ""); strings.TrimSpace(body) != want {
		t.Fatalf("GET:\n%s\nwant\n%s", body, want)
	}
	if c.PowerOffs() != 1 || c.AckDelay() != 1500*time.Millisecond || !c.Background() {
		t.Fatalf("controller: powerOffs %d delay %v background %v", c.PowerOffs(), c.AckDelay(), c.Background())
	}
	if got := c.Now(); !got.Equal(clk.t.Add(-7 * time.Second)) {
		t.Fatalf("skewed clock %v", got)
	}
	if on, _ := c.Online(); on {
		t.Fatal("online while offline")
	}
	if status, _ := do(t, "DELETE", srv.URL+Path+"/offline", ""); status != 200 {
		t.Fatal("clear offline")
	}
	on, at := c.Online()
	if on || !at.Equal(clk.t.Add(2*time.Second)) {
		t.Fatalf("during the drop: online %v, recheck %v", on, at)
	}
	clk.t = clk.t.Add(2 * time.Second)
	if on, _ := c.Online(); !on {
		t.Fatal("the dropped connection is not restored after its duration")
	}
	if status, body := do(t, "DELETE", srv.URL+Path, ""); status != 200 || strings.TrimSpace(body) != `{"faults":[]}` {
		t.Fatalf("clear all: %d %s", status, body)
	}
	if c.AckDelay() != 0 || c.Background() || !c.Now().Equal(clk.t) {
		t.Fatal("faults left after clearing")
	}
}

type settler struct{ err error }

func (s settler) Settle(ctx context.Context) error { return s.err }

func TestNotSettled(t *testing.T) {
	_, _, srv := newTestServer(t, settler{err: errors.New("timeout")})
	status, body := do(t, "POST", srv.URL+Path, `{"fault":"power_off"}`)
	if status != http.StatusGatewayTimeout || !strings.Contains(body, "not_settled") {
		t.Fatalf("%d %s", status, body)
	}
}

func TestChangedSignals(t *testing.T) {
	c := New(time.Now)
	ch := c.Changed()
	if err := c.Inject(Request{Fault: Background}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	default:
		t.Fatal("Inject did not signal a change")
	}
}
