package server

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The console works in a real browser: loading /?say=pause says it, shows
// the directive and the reply, draws the trace and lists the phrases.
func TestConsoleInHeadlessChromium(t *testing.T) {
	t.Parallel()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("DYNAMODB_TEST_REQUIRED") == "1" {
			t.Fatal("chromium not found; `make test` installs it")
		}
		t.Skip("chromium not installed")
	}
	f := newFixture(t, "testdata/catalog", refuse)
	f.register(t, "tv-a", "TV", "reg-a", "token-a")
	srv := httptest.NewServer(f.srv)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=5000", "--dump-dom", srv.URL+"/?say="+url.QueryEscape("Alexa, watch the handmaid's tale")).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	for _, want := range []string{
		`"name": "SearchAndPlay"`,           // the directive pane
		`"namespace": "Alexa.Video"`,        // the reply pane
		"the skill refused: NOT_SUBSCRIBED", // the status line
		`class="hop"`,                       // the waterfall
		"alexa-sim · lambda invoke",
		"go down three channels", // a phrase button
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %q:\n%.3000s", want, dom)
		}
	}
	if f.invoker.count() != 1 {
		t.Errorf("skill invoked %d times", f.invoker.count())
	}
}
