package tracehops_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"livingroom/internal/tracehops"
)

func TestAllowed(t *testing.T) {
	r := &tracehops.Reporter{Base: "http://127.0.0.1:8300/v1/traces/"}
	cases := []struct {
		url  string
		want bool
	}{
		{"http://127.0.0.1:8300/v1/traces/0123456789abcdef0123456789abcdef/hops", true},
		{"http://127.0.0.1:8300/v1/traces//hops", false},
		{"http://127.0.0.1:8300/v1/traces/abc/hops/../../../admin", false},
		{"http://127.0.0.1:8300/v1/traces/abc?x=1/hops", false},
		{"http://169.254.169.254/latest/meta-data/hops", false},
		{"http://127.0.0.1:8300/v1/traces/abc/other", false},
		{"http://127.0.0.1:8300/v1/traces/" + string(make([]byte, 65)) + "/hops", false},
		{"", false},
	}
	for _, c := range cases {
		if got := r.Allowed(c.url); got != c.want {
			t.Errorf("Allowed(%q) = %v, want %v", c.url, got, c.want)
		}
	}
	if (&tracehops.Reporter{}).Allowed(cases[0].url) {
		t.Error("a reporter without a base allowed a URL")
	}
}

func TestReport(t *testing.T) {
	got := make(chan []tracehops.Hop, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body struct{ Hops []tracehops.Hop }
		if err := json.Unmarshal(b, &body); err != nil || r.URL.Path != "/v1/traces/ab12/hops" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got <- body.Hops
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	r := &tracehops.Reporter{Base: srv.URL + "/v1/traces/", Client: srv.Client(), Timeout: time.Second}
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	hops := make([]tracehops.Hop, tracehops.MaxHops+5)
	for i := range hops {
		hops[i] = tracehops.Hop{Name: "step", Process: "skill", Start: start, End: start.Add(time.Millisecond)}
	}
	if err := r.Report(context.Background(), srv.URL+"/v1/traces/ab12/hops", hops); err != nil {
		t.Fatal(err)
	}
	if h := <-got; len(h) != tracehops.MaxHops || h[0].Name != "step" || !h[0].End.Equal(start.Add(time.Millisecond)) {
		t.Fatalf("server got %d hops: %+v", len(h), h[0])
	}
	if err := r.Report(context.Background(), "http://127.0.0.1:1/v1/traces/ab12/hops", hops); err == nil {
		t.Fatal("a URL outside the base was called")
	}
}
