package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// call sends one DevTools command and returns its result.
func (b *browser) call(t *testing.T, method string, params map[string]any) json.RawMessage {
	t.Helper()
	id := b.next.Add(1)
	if err := b.conn.WriteJSON(map[string]any{"id": id, "method": method, "params": params}); err != nil {
		t.Fatal(err)
	}
	_ = b.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		var resp struct {
			ID     int64                     `json:"id"`
			Result json.RawMessage           `json:"result"`
			Error  *struct{ Message string } `json:"error"`
		}
		if err := b.conn.ReadJSON(&resp); err != nil {
			t.Fatal(err)
		}
		if resp.ID != id {
			continue
		}
		if resp.Error != nil {
			t.Fatalf("%s: %s", method, resp.Error.Message)
		}
		return resp.Result
	}
}

// screenshot saves the viewport as PNG in dir/name.png and returns it decoded
// enough to read pixels.
func (b *browser) screenshot(t *testing.T, dir, name string) []byte {
	t.Helper()
	var shot struct {
		Data string `json:"data"`
	}
	if err := json.Unmarshal(b.call(t, "Page.captureScreenshot", map[string]any{"format": "png"}), &shot); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return raw
}

// waitJS waits until a JavaScript expression evaluates to want.
func (b *browser) waitJS(t *testing.T, what, expr, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		got := b.eval(t, expr)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("TV page: %s: %s is %q, want %q", what, expr, got, want)
		}
		<-tick.C
	}
}

// visible is the expression "the element with this id is shown".
func visible(id string) string {
	return fmt.Sprintf(`(() => { const e = document.getElementById(%q); return !!e && !e.hidden && e.getClientRects().length > 0 })()`, id)
}

// TestTVScreens drives the stack by voice and by faults and checks, in a
// real browser, what the TV page shows on every screen, taking a screenshot
// of each. SCREENSHOTS_DIR keeps them (docs/screens is made that way).
func TestTVScreens(t *testing.T) {
	s := startStack(t)
	dir := os.Getenv("SCREENSHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	page := openBrowser(t, s.url("TVAPP_ADDR", "/"))
	say := func(utterance, wantReply string) {
		t.Helper()
		status, r := s.say(t, utterance)
		if status != http.StatusOK {
			t.Fatalf("say %q: status %d", utterance, status)
		}
		if got := responseName(t, r.Response); got != wantReply {
			t.Fatalf("say %q: reply %s, want %s", utterance, got, wantReply)
		}
	}
	const ok = "Alexa.Response"

	// Home, before anyone speaks.
	page.waitJS(t, "home shown", visible("home-screen"), "true")
	page.waitText(t, "link-status", "registered")
	page.screenshot(t, dir, "home")

	// Now playing: series, season, episode, title, artwork, moving progress.
	say("watch The Handmaid's Tale", ok)
	page.waitText(t, "title", "Offred")
	page.waitText(t, "subtitle", "The Handmaid's Tale · S1 E1")
	page.waitText(t, "playback-state", "PLAYING")
	page.waitText(t, "art-initials", "O")
	page.waitJS(t, "toast", `document.getElementById("toast").hidden ? "" : document.getElementById("toast-text").textContent`, "Play · Offred")
	page.waitJS(t, "artwork drawn from the title", `document.getElementById("art").style.background.includes("linear-gradient")`, "true")
	first := page.eval(t, `document.getElementById("progress").getAttribute("aria-valuenow")`)
	page.waitJS(t, "progress moves", fmt.Sprintf(`Number(document.getElementById("progress").getAttribute("aria-valuenow")) > %s + 500`, first), "true")
	page.screenshot(t, dir, "playing")

	say("pause", ok)
	page.waitText(t, "playback-state", "PAUSED")
	page.waitText(t, "playback-icon", "❚❚")
	page.screenshot(t, dir, "paused")

	// Buffering: the TV holds the command under a slow ack.
	if status, body := s.post(t, "TVAPP_ADDR", "/v1/faults", `{"fault":"slow_ack","delayMs":2500}`); status != http.StatusOK {
		t.Fatalf("slow_ack: %d %s", status, body)
	}
	say("resume", ok)
	page.waitText(t, "playback-state", "BUFFERING")
	page.waitText(t, "faults", "slow_ack")
	page.waitJS(t, "spinner", `!!document.querySelector("#playback-icon .spinner")`, "true")
	page.screenshot(t, dir, "buffering")
	page.waitText(t, "playback-state", "PLAYING")
	clearFaults(t, s)
	page.waitJS(t, "fault banner gone", visible("fault-banner"), "false")

	// Live TV: the channel banner.
	say("go to ESPN", ok)
	page.waitText(t, "channel-call-sign", "ESPN")
	page.waitJS(t, "channel banner", visible("channel-banner"), "true")
	page.waitJS(t, "channel number", `document.getElementById("channel-number").textContent.trim() !== ""`, "true")
	page.screenshot(t, dir, "live-tv")

	// Results: the selected tile moves under keystrokes.
	say("show me dramas", ok)
	page.waitJS(t, "results shown", visible("results-screen"), "true")
	selected := `Array.from(document.querySelectorAll("#results li")).findIndex((li) => li.classList.contains("selected"))`
	page.waitJS(t, "first tile selected", selected, "0")
	page.screenshot(t, dir, "results")
	say("move right", ok)
	page.waitJS(t, "second tile selected", selected, "1")
	page.waitJS(t, "toast", `document.getElementById("toast-text").textContent`, "Key RIGHT")
	page.screenshot(t, dir, "results-moved")

	say("go home", ok)
	page.waitJS(t, "home shown", visible("home-screen"), "true")
	page.waitJS(t, "continue watching", visible("last-watched"), "true")
	page.screenshot(t, dir, "home-continue")

	say("open settings", ok)
	page.waitJS(t, "settings shown", visible("settings"), "true")
	page.waitText(t, "menu-title", "settings")
	page.waitText(t, "settings-alexa", "Linked")
	page.screenshot(t, dir, "settings")

	// A fault shows on the screen: the app in the background.
	if status, body := s.post(t, "TVAPP_ADDR", "/v1/faults", `{"fault":"background"}`); status != http.StatusOK {
		t.Fatalf("background: %d %s", status, body)
	}
	page.waitJS(t, "background note", visible("background-note"), "true")
	page.screenshot(t, dir, "fault-background")
	clearFaults(t, s)

	// Off: a black screen.
	say("turn the TV off", ok)
	page.waitJS(t, "off screen", visible("off-screen"), "true")
	page.waitText(t, "power", "OFF")
	raw := page.screenshot(t, dir, "off")
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if r, g, bl, _ := img.At(b.Dx()/2, b.Dy()/2).RGBA(); r|g|bl != 0 {
		t.Fatalf("the TV is off but the middle of the screen is not black: %v %v %v", r, g, bl)
	}

	// The page listens to events; it never polls the state.
	if got := page.eval(t, `performance.getEntriesByType("resource").filter((e) => e.name.includes("/v1/state")).length`); got != "0" {
		t.Fatalf("the page fetched /v1/state %s times; it must use the event stream", got)
	}
}

func clearFaults(t *testing.T, s *stack) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, s.url("TVAPP_ADDR", "/v1/faults"), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("clear faults: %d", resp.StatusCode)
	}
}
