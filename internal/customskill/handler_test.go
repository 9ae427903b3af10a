package customskill_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/catalog/catalogtest"
	"livingroom/internal/customskill"
	"livingroom/internal/device"
	"livingroom/internal/device/devicetest"
	"livingroom/internal/goldentest"
	"livingroom/internal/viewing"
	"livingroom/internal/viewing/viewingtest"
)

var now = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// offline reports one registration as unreachable.
type offline struct{ *devicetest.Notifier }

func (n offline) Notify(ctx context.Context, reg string, a action.Action) error {
	if reg == "reg-offline" {
		return fmt.Errorf("adm: Unregistered: %w", device.ErrUnreachable)
	}
	return n.Notifier.Notify(ctx, reg, a)
}

// fixture: account one (a living room TV playing an episode, progress in a
// series), account two (three TVs: bedroom offline and idle, kitchen on a
// channel, living room), an account without TVs and one without a plan.
func newHandler(t testing.TB, opts ...func(*customskill.Config)) (*customskill.Handler, *devicetest.Notifier) {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return now }
	accounts := account.NewService(accounttest.NewStore(), clock)
	for _, a := range []struct {
		acc   account.Account
		token string
	}{
		{account.Account{ID: "acc-one", Plan: account.PlanLiveTVDVR}, "tok-one"},
		{account.Account{ID: "acc-two", Plan: account.PlanOnDemand}, "tok-two"},
		{account.Account{ID: "acc-none", Plan: account.PlanOnDemand}, "tok-none"},
		{account.Account{ID: "acc-noplan"}, "tok-noplan"},
		{account.Account{ID: "acc-revoked", Plan: account.PlanOnDemand}, "tok-revoked"},
	} {
		ttl := time.Hour
		if a.token == "tok-revoked" {
			ttl = -time.Hour
		}
		if err := accounts.Create(ctx, a.acc, a.token, ttl); err != nil {
			t.Fatal(err)
		}
	}
	notifier := &devicetest.Notifier{}
	states := devicetest.NewStateStore()
	devices := device.NewService(devicetest.NewStore(), offline{notifier}, clock, func() string { return "action-1" }).WithStates(states)
	for _, d := range []device.Device{
		{AccountID: "acc-one", EndpointID: "tv-one", RegistrationID: "reg-one", FriendlyName: "Living Room TV"},
		{AccountID: "acc-two", EndpointID: "tv-bed", RegistrationID: "reg-offline", FriendlyName: "Bedroom TV"},
		{AccountID: "acc-two", EndpointID: "tv-kitchen", RegistrationID: "reg-kitchen", FriendlyName: "Kitchen"},
		{AccountID: "acc-two", EndpointID: "tv-living", RegistrationID: "reg-living", FriendlyName: "Living Room"},
	} {
		if _, err := devices.Register(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	put := func(acc, ep string, st device.State) {
		st.ReceivedAt = now.Add(-2 * time.Minute)
		if _, err := states.PutState(ctx, acc, ep, st); err != nil {
			t.Fatal(err)
		}
	}
	put("acc-one", "tv-one", device.State{Power: device.PowerOn, Playback: device.PlaybackPlaying, PositionMs: 10 * 60_000, DurationMs: 57 * 60_000,
		Content: &device.StateContent{ID: "episode-handmaids-tale-1-1", Title: "Offred", SeriesID: "series-handmaids-tale", SeriesTitle: "The Handmaid's Tale", Season: 1, Episode: 1}})
	put("acc-two", "tv-kitchen", device.State{Power: device.PowerOn, Playback: device.PlaybackPlaying,
		Channel: &device.StateChannel{Number: "206", CallSign: "ESPN", Name: "ESPN", ProgramTitle: "SportsCenter"}})
	put("acc-two", "tv-living", device.State{Power: device.PowerOff, Playback: device.PlaybackStopped})

	idx := catalogtest.New()
	const series, title = "series-handmaids-tale", "The Handmaid's Tale"
	if err := idx.PutWorks(ctx, []catalog.Work{
		{ID: series, Kind: catalog.Series, Title: title},
		{ID: "season-handmaids-tale-1", Kind: catalog.Season, Title: "Season 1", SeriesID: series, SeriesTitle: title, Season: 1},
		{ID: "episode-handmaids-tale-1-1", Kind: catalog.Episode, Title: "Offred", SeriesID: series, SeriesTitle: title, SeasonID: "season-handmaids-tale-1", Season: 1, Episode: 1, RuntimeMinutes: 57},
		{ID: "episode-handmaids-tale-1-2", Kind: catalog.Episode, Title: "Birth Day", SeriesID: series, SeriesTitle: title, SeasonID: "season-handmaids-tale-1", Season: 1, Episode: 2, RuntimeMinutes: 47},
		{ID: "movie-prey", Kind: catalog.Movie, Title: "Prey", RuntimeMinutes: 99},
		{ID: "movie-law", Kind: catalog.Movie, Title: "Law & Order <Special>", RuntimeMinutes: 44},
	}); err != nil {
		t.Fatal(err)
	}
	watched := viewingtest.NewStore()
	if err := watched.PutProgress(ctx, "acc-one", viewing.Progress{SeriesID: series, EpisodeID: "episode-handmaids-tale-1-1", Season: 1, Episode: 1,
		PositionMs: 12 * 60_000, DurationMs: 57 * 60_000, UpdatedAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cfg := customskill.Config{
		Accounts: accounts, Devices: devices, Content: catalog.NewResolver(idx, "livingroom"), Viewing: watched, Now: clock,
	}
	for _, o := range opts {
		o(&cfg)
	}
	return customskill.NewHandler(cfg), notifier
}

// TestGolden sends every testdata/*.request.json and compares the reply
// with its .response.json; each reply must also be a well-formed response.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.request.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no requests: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".request.json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h, notifier := newHandler(t)
			out, err := h.Invoke(context.Background(), raw)
			if err != nil {
				t.Fatalf("Invoke returned a Lambda error: %v", err)
			}
			checkResponse(t, out)
			var sent bytes.Buffer
			for _, s := range notifier.Sent() {
				fmt.Fprintf(&sent, "%s %s\n", s.RegistrationID, mustJSON(t, s.Action.Encode()))
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, out, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteString("\n")
			goldentest.Assert(t, filepath.Join("testdata", name+".response.json"), pretty.Bytes())
			goldentest.Assert(t, filepath.Join("testdata", name+".sent.txt"), sent.Bytes())
		})
	}
}

func mustJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkResponse applies the rules of Alexa's custom skill response format
// that the skill relies on (no official schema of it is shipped).
func checkResponse(t testing.TB, out []byte) {
	t.Helper()
	if len(out) > 24<<10 {
		t.Fatalf("response of %d bytes: Alexa takes at most 24 KB", len(out))
	}
	var r struct {
		Version  string `json:"version"`
		Response struct {
			OutputSpeech *struct {
				Type string `json:"type"`
				SSML string `json:"ssml"`
			} `json:"outputSpeech"`
			Card *struct {
				Type    string         `json:"type"`
				Title   string         `json:"title"`
				Content string         `json:"content"`
				Image   map[string]any `json:"image"`
			} `json:"card"`
			Reprompt *struct {
				OutputSpeech struct{ Type, SSML string } `json:"outputSpeech"`
			} `json:"reprompt"`
			ShouldEndSession *bool `json:"shouldEndSession"`
		} `json:"response"`
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	if r.Version != "1.0" {
		t.Errorf("version %q", r.Version)
	}
	body := r.Response
	if s := body.OutputSpeech; s != nil {
		if s.Type != "SSML" || !strings.HasPrefix(s.SSML, "<speak>") || !strings.HasSuffix(s.SSML, "</speak>") {
			t.Errorf("speech %+v", s)
		}
		if err := wellFormedXML(s.SSML); err != nil {
			t.Errorf("SSML not well formed: %v: %s", err, s.SSML)
		}
	}
	if c := body.Card; c != nil {
		switch {
		case c.Type == "Simple" && c.Title != "" && c.Content != "":
		case c.Type == "LinkAccount" && c.Title == "" && c.Content == "":
		default:
			t.Errorf("card %+v", c)
		}
		if c.Image != nil {
			t.Error("card has an image object")
		}
	}
	if body.Reprompt != nil && (body.ShouldEndSession != nil && *body.ShouldEndSession) {
		t.Error("reprompt on a response that ends the session")
	}
}

func wellFormedXML(s string) error {
	d := xmlDecoder(s)
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() == "EOF" {
				return nil
			}
			return err
		}
	}
}
