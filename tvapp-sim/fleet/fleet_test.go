package fleet

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"livingroom/tvapp-sim/tv"
)

func newTestFleet(t *testing.T, size int) *Fleet {
	t.Helper()
	f, err := New(Config{Size: size, First: 7, Base: tv.Config{
		DevicePushURL: "http://127.0.0.1:1", DeviceAPIURL: "http://127.0.0.1:1", AlexaURL: "http://127.0.0.1:1",
	}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewBounds(t *testing.T) {
	base := tv.Config{DevicePushURL: "http://x", DeviceAPIURL: "http://x", AlexaURL: "http://x"}
	for _, c := range []Config{{Size: 0}, {Size: -1}, {Size: 100_000}, {Size: 10, First: 99_995}} {
		c.Base = base
		if _, err := New(c); err == nil {
			t.Errorf("New(size %d, first %d) accepted", c.Size, c.First)
		}
	}
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

func TestHandler(t *testing.T) {
	f := newTestFleet(t, 3)
	h := f.Handler(f.First().Handler())

	status, body := get(t, h, Path)
	var s Summary
	if err := json.Unmarshal([]byte(body), &s); status != 200 || err != nil || s.Size != 3 || s.First != 7 || s.Memory == nil || s.Memory.Goroutines == 0 {
		t.Fatalf("summary %d %s", status, body)
	}
	status, body = get(t, h, TVsPath+"?offset=1&limit=5")
	var list struct {
		Total int      `json:"total"`
		TVs   []Member `json:"tvs"`
	}
	if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil || list.Total != 3 || len(list.TVs) != 2 ||
		list.TVs[0].EndpointID != "livingroom-tv-fleet-00008" || list.TVs[0].DeviceID != "fleet-00008" {
		t.Fatalf("list %d %s", status, body)
	}
	if _, body := get(t, h, TVsPath+"?offset=99"); !strings.Contains(body, `"tvs":[]`) {
		t.Fatalf("past the end: %s", body)
	}
	for _, q := range []string{"?offset=-1", "?limit=0", "?limit=1001", "?limit=x", "?offset=1e3"} {
		if status, body := get(t, h, TVsPath+q); status != http.StatusBadRequest || !strings.Contains(body, "invalid_request") {
			t.Errorf("%s: %d %s", q, status, body)
		}
	}
	if status, body := get(t, h, TVPrefix+"livingroom-tv-fleet-00009/v1/state"); status != 200 || !strings.Contains(body, `"friendlyName":"Fleet TV 00009"`) {
		t.Fatalf("a member's state: %d %s", status, body)
	}
	if status, body := get(t, h, TVPrefix+"livingroom-tv-fleet-00009/"); status != 200 || !strings.Contains(body, `new EventSource("v1/events")`) {
		t.Fatalf("a member's screen: %d", status)
	}
	if status, _ := get(t, h, TVPrefix+"livingroom-tv-sim-0001/v1/state"); status != http.StatusNotFound {
		t.Fatalf("a TV outside the fleet: %d", status)
	}
	if status, body := get(t, h, "/v1/state"); status != 200 || !strings.Contains(body, `"endpointId":"livingroom-tv-fleet-00007"`) {
		t.Fatalf("the first TV at /: %d %s", status, body)
	}
}
