package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// browser is a headless Chromium showing one page, driven over the DevTools
// protocol so a test can read the live DOM as a QA person would see it.
type browser struct {
	conn *websocket.Conn
	next atomic.Int64
}

// openBrowser opens url in headless Chromium, or skips when Chromium is
// missing (`make test` installs it, and then it is required).
func openBrowser(t *testing.T, url string) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("DYNAMODB_TEST_REQUIRED") == "1" {
			t.Fatal("chromium not found; `make test` installs it")
		}
		t.Skip("chromium not installed")
	}
	profile := t.TempDir()
	cmd := exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+profile, "--remote-debugging-port=0", "--window-size=1280,800", url)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	// Chromium writes the port it chose to DevToolsActivePort once it listens.
	var port string
	waitFor(t, 20*time.Second, "chromium DevTools port", func() bool {
		b, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort"))
		if err != nil {
			return false
		}
		port = strings.SplitN(string(b), "\n", 2)[0]
		return port != ""
	})
	var wsURL string
	waitFor(t, 20*time.Second, "the page target", func() bool {
		resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var targets []struct{ Type, URL, WebSocketDebuggerURL string }
		if json.NewDecoder(resp.Body).Decode(&targets) != nil {
			return false
		}
		for _, tg := range targets {
			if tg.Type == "page" && strings.HasPrefix(tg.URL, url) {
				wsURL = tg.WebSocketDebuggerURL
				return true
			}
		}
		return false
	})
	conn, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &browser{conn: conn}
}

// eval evaluates a JavaScript expression in the page and returns its value
// as a string.
func (b *browser) eval(t *testing.T, expr string) string {
	t.Helper()
	id := b.next.Add(1)
	req := map[string]any{"id": id, "method": "Runtime.evaluate", "params": map[string]any{"expression": expr, "returnByValue": true}}
	if err := b.conn.WriteJSON(req); err != nil {
		t.Fatal(err)
	}
	_ = b.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var resp struct {
			ID     int64 `json:"id"`
			Result struct {
				Result struct {
					Value any `json:"value"`
				} `json:"result"`
			} `json:"result"`
			Error *struct{ Message string } `json:"error"`
		}
		if err := b.conn.ReadJSON(&resp); err != nil {
			t.Fatal(err)
		}
		if resp.ID != id {
			continue // an event, not our answer
		}
		if resp.Error != nil {
			t.Fatalf("evaluate %s: %s", expr, resp.Error.Message)
		}
		return fmt.Sprint(resp.Result.Result.Value)
	}
}

// waitText waits until the element with the given id shows want.
func (b *browser) waitText(t *testing.T, id, want string) {
	t.Helper()
	expr := fmt.Sprintf(`(document.getElementById(%q) || {}).textContent || ""`, id)
	var got string
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if got = strings.TrimSpace(b.eval(t, expr)); got == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("TV page: #%s shows %q, want %q", id, got, want)
		case <-tick.C:
		}
	}
}

func waitFor(t testing.TB, limit time.Duration, what string, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !ready() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}
