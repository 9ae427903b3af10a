package skill_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"livingroom/internal/goldentest"

	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/catalog/catalogtest"
	"livingroom/internal/device"
	"livingroom/internal/device/devicetest"
	"livingroom/internal/idempotency/idempotencytest"
	"livingroom/internal/skill"
	"livingroom/internal/viewing"
	"livingroom/internal/viewing/viewingtest"
	"livingroom/internal/vsk/vsktest"
)

var now = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// handmaidsTale is a catalog index holding one series with two seasons, a
// few movies and three channels (ESPN with a schedule around now).
func handmaidsTale(t testing.TB) *catalogtest.Index {
	t.Helper()
	const series, title = "series-handmaids-tale", "The Handmaid's Tale"
	idx := catalogtest.New()
	works := []catalog.Work{
		{ID: series, Kind: catalog.Series, Title: title},
		{ID: "season-handmaids-tale-1", Kind: catalog.Season, Title: "Season 1", SeriesID: series, SeriesTitle: title, Season: 1},
		{ID: "season-handmaids-tale-2", Kind: catalog.Season, Title: "Season 2", SeriesID: series, SeriesTitle: title, Season: 2},
		{ID: "episode-handmaids-tale-1-1", Kind: catalog.Episode, Title: "Offred", SeriesID: series, SeriesTitle: title,
			SeasonID: "season-handmaids-tale-1", Season: 1, Episode: 1, RuntimeMinutes: 57},
		{ID: "episode-handmaids-tale-1-2", Kind: catalog.Episode, Title: "Birth Day", SeriesID: series, SeriesTitle: title,
			SeasonID: "season-handmaids-tale-1", Season: 1, Episode: 2, RuntimeMinutes: 47},
		{ID: "episode-handmaids-tale-2-1", Kind: catalog.Episode, Title: "June", SeriesID: series, SeriesTitle: title,
			SeasonID: "season-handmaids-tale-2", Season: 2, Episode: 1, RuntimeMinutes: 58},
	}
	works = append(works,
		catalog.Work{ID: "movie-prey", Kind: catalog.Movie, Title: "Prey", Genres: []string{"Action", "Thriller"}, Actors: []string{"Amber Midthunder"},
			Directors: []string{"Dan Trachtenberg"}, Rank: 2, RuntimeMinutes: 99},
		catalog.Work{ID: "movie-palm-springs", Kind: catalog.Movie, Title: "Palm Springs", Genres: []string{"Comedy"}, Actors: []string{"Andy Samberg"},
			Rank: 1, RuntimeMinutes: 90},
		catalog.Work{ID: "movie-gone", Kind: catalog.Movie, Title: "Gone Soon", Genres: []string{"Drama"}, RuntimeMinutes: 100,
			Availability: []catalog.Window{{Offer: catalog.OfferSubscription, Regions: []string{"US"}, Start: "2025-01-01", End: "2026-10-31"}}},
	)
	if err := idx.PutWorks(context.Background(), works); err != nil {
		t.Fatal(err)
	}
	channels := []catalog.Channel{
		{ID: "channel-espn", Number: "206", CallSign: "ESPN", Name: "ESPN", Genres: []string{"Sports"}, Schedule: []catalog.Airing{
			{Start: "2026-11-25T19:30:00Z", Minutes: 60, WorkID: "program-sportscenter", Title: "SportsCenter"},
			{Start: "2026-11-25T20:30:00Z", Minutes: 30, Title: "NFL Live"},
		}},
		{ID: "channel-food", Number: "231", CallSign: "FOOD", Name: "Food Network"},
		{ID: "channel-wabc", Number: "7", CallSign: "WABC", Name: "ABC", Affiliate: "ABC"},
	}
	if err := idx.PutChannels(context.Background(), channels); err != nil {
		t.Fatal(err)
	}
	return idx
}

// panicky wraps a Devices to panic for one endpoint, proving recovery.
type panicky struct{ skill.Devices }

func (p panicky) FindWithState(ctx context.Context, accountID, endpointID string) (device.Device, *device.State, error) {
	if endpointID == "panic-tv" {
		panic("boom")
	}
	return p.Devices.FindWithState(ctx, accountID, endpointID)
}

func (p panicky) Find(ctx context.Context, accountID, endpointID string) (device.Device, error) {
	if endpointID == "panic-tv" {
		panic("boom")
	}
	return p.Devices.Find(ctx, accountID, endpointID)
}

// offlineNotifier reports one registration as unreachable, and one whose
// TV is off or offline: device messaging took the action, but no connection
// did, and it was discarded (a delivery receipt).
type offlineNotifier struct{ *devicetest.Notifier }

func (n offlineNotifier) Notify(ctx context.Context, reg string, a action.Action) error {
	switch reg {
	case "reg-offline":
		return fmt.Errorf("adm: Unregistered: %w", device.ErrUnreachable)
	case "reg-asleep":
		return fmt.Errorf("adm: discarded: %w", device.ErrNotDelivered)
	}
	return n.Notifier.Notify(ctx, reg, a)
}

func newHandler(t testing.TB, opts ...func(*skill.Config)) (*skill.Handler, *devicetest.Notifier) {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return now }
	accounts := account.NewService(accounttest.NewStore(), clock)
	for token, a := range map[string]account.Account{
		"access-token-from-skill": {ID: "acc-dev", Name: "Dev", Plan: "premium"},
		"token-without-plan":      {ID: "acc-free", Name: "Free"},
		"token-on-demand":         {ID: "acc-od", Name: "On demand", Plan: account.PlanOnDemand},
	} {
		if err := accounts.Create(ctx, a, token, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := accounts.Create(ctx, account.Account{ID: "acc-old", Plan: "premium"}, "expired-token", -time.Minute); err != nil {
		t.Fatal(err)
	}
	store := devicetest.NewStore()
	for _, d := range []device.Device{
		// Two endpoint ids of one app: the registration id names the last.
		{AccountID: "acc-dev", EndpointID: "videoDevice-001", RegistrationID: "reg-living-room"},
		{AccountID: "acc-dev", EndpointID: "endpoint-001", RegistrationID: "reg-living-room"},
		{AccountID: "acc-dev", EndpointID: "offline-tv", RegistrationID: "reg-offline"},
		{AccountID: "acc-dev", EndpointID: "asleep-tv", RegistrationID: "reg-asleep"},
		{AccountID: "acc-free", EndpointID: "endpoint-001", RegistrationID: "reg-free"},
		{AccountID: "acc-dev", EndpointID: "tv-off", RegistrationID: "reg-tv-off", FriendlyName: "Bedroom TV"},
		{AccountID: "acc-od", EndpointID: "od-tv", RegistrationID: "reg-od"},
	} {
		if err := store.PutDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	notifier := &devicetest.Notifier{}
	var n atomic.Int64 // copies of a directive may run at once
	newID := func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)) }
	// endpoint-001 plays S1E2 one minute in, reported ten seconds ago;
	// tv-off reported itself off; the others never reported.
	states := devicetest.NewStateStore()
	for endpoint, st := range map[string]device.State{
		"endpoint-001": {Power: device.PowerOn, Playback: device.PlaybackPlaying, PositionMs: 60_000, DurationMs: 47 * 60_000,
			Content:    &device.StateContent{ID: "episode-handmaids-tale-1-2", Title: "Birth Day", SeriesID: "series-handmaids-tale", SeriesTitle: "The Handmaid's Tale", Season: 1, Episode: 2},
			ReportedAt: now.Add(-10 * time.Second), ReceivedAt: now.Add(-10 * time.Second)},
		"tv-off": {Power: device.PowerOff, Playback: device.PlaybackStopped, ReportedAt: now.Add(-time.Minute), ReceivedAt: now.Add(-time.Minute)},
	} {
		if _, err := states.PutState(ctx, "acc-dev", endpoint, st); err != nil {
			t.Fatal(err)
		}
	}
	devices := device.NewService(store, offlineNotifier{notifier}, clock, newID).WithStates(states)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := skill.Config{
		Accounts: accounts, Devices: panicky{devices}, Content: catalog.NewResolver(handmaidsTale(t), "livingroom"),
		Replies: idempotencytest.NewStore(), Viewing: watched(t), Grants: grants{}, NewID: newID, Now: clock, Logger: logger,
	}
	for _, o := range opts {
		o(&cfg)
	}
	return skill.NewHandler(cfg), notifier
}

// grants accepts the code "good-code" only.
type grants struct{}

func (grants) AcceptGrant(_ context.Context, accountID, code string) error {
	if code != "good-code" {
		return fmt.Errorf("lwa: invalid_grant for %s", accountID)
	}
	return nil
}

// watched is acc-dev's viewing: half way through The Handmaid's Tale S1E2,
// and one recording.
func watched(t testing.TB) *viewingtest.Store {
	v := viewingtest.NewStore()
	ctx := context.Background()
	if err := v.PutProgress(ctx, "acc-dev", viewing.Progress{SeriesID: "series-handmaids-tale", EpisodeID: "episode-handmaids-tale-1-2",
		Season: 1, Episode: 2, PositionMs: 1_200_000, DurationMs: 47 * 60_000, UpdatedAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := v.AddRecording(ctx, "acc-dev", viewing.Recording{ID: "movie-palm-springs", ContentID: "movie-palm-springs", Title: "Palm Springs", CreatedAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestGolden runs every testdata/*.request.json through the handler and
// compares the reply with the matching *.response.json; every reply must be
// a valid Alexa message.
func TestGolden(t *testing.T) {
	requests, err := filepath.Glob("testdata/*.request.json")
	if err != nil || len(requests) == 0 {
		t.Fatalf("no requests: %v", err)
	}
	for _, reqPath := range requests {
		name := strings.TrimSuffix(filepath.Base(reqPath), ".request.json")
		t.Run(name, func(t *testing.T) {
			h, _ := newHandler(t)
			raw, err := os.ReadFile(reqPath)
			if err != nil {
				t.Fatal(err)
			}
			msg, err := h.Handle(context.Background(), raw)
			if err != nil {
				t.Fatalf("Handle returned a Lambda error: %v", err)
			}
			got, err := json.MarshalIndent(msg, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			vsktest.Validate(t, got)
			goldentest.Assert(t, filepath.Join("testdata", name+".response.json"), got)
		})
	}
}

// TestActionsSent checks what reaches the TV for the directives that succeed.
func TestActionsSent(t *testing.T) {
	cases := []struct {
		request string
		want    action.Action
	}{
		{"pause", action.Action{Type: action.Pause}},
		{"play", action.Action{Type: action.Resume}},
		{"stop", action.Action{Type: action.Stop}},
		{"directed-user-id", action.Action{Type: action.Pause}},
		{"pause-renamed-endpoint", action.Action{Type: action.Pause}},
		// acc-dev stopped S1E2 twenty minutes in: "watch the series" resumes it.
		{"search-by-catalog-id", action.Action{Type: action.PlayContent, PositionMs: 1_200_000, Content: &action.Content{
			ID: "episode-handmaids-tale-1-2", Title: "Birth Day", SeriesID: "series-handmaids-tale",
			SeriesTitle: "The Handmaid's Tale", Season: 1, Episode: 2, DurationMs: 47 * 60_000}}},
		{"search-by-title", action.Action{Type: action.PlayContent, Content: &action.Content{
			ID: "episode-handmaids-tale-2-1", Title: "June", SeriesID: "series-handmaids-tale",
			SeriesTitle: "The Handmaid's Tale", Season: 2, Episode: 1, DurationMs: 58 * 60_000}}},
		{"resume", action.Action{Type: action.Resume}},
		{"start-over", action.Action{Type: action.StartOver}},
		{"next", action.Action{Type: action.PlayContent, Content: &action.Content{
			ID: "episode-handmaids-tale-2-1", Title: "June", SeriesID: "series-handmaids-tale",
			SeriesTitle: "The Handmaid's Tale", Season: 2, Episode: 1, DurationMs: 58 * 60_000}}},
		{"previous", action.Action{Type: action.PlayContent, Content: &action.Content{
			ID: "episode-handmaids-tale-1-1", Title: "Offred", SeriesID: "series-handmaids-tale",
			SeriesTitle: "The Handmaid's Tale", Season: 1, Episode: 1, DurationMs: 57 * 60_000}}},
		{"rewind", action.Action{Type: action.Seek, DeltaMs: -10_000}},
		{"fast-forward", action.Action{Type: action.Seek, DeltaMs: 10_000}},
		{"seek", action.Action{Type: action.Seek, DeltaMs: -45_000}},
		{"launch-home", action.Action{Type: action.Launch, Target: action.TargetHome}},
		{"launch-settings-by-name", action.Action{Type: action.Launch, Target: action.TargetSettings}},
		{"keystroke", action.Action{Type: action.Keystroke, Key: action.KeyDown}},
		{"turn-on", action.Action{Type: action.PowerSet, Power: action.PowerOn}},
		{"turn-off", action.Action{Type: action.PowerSet, Power: action.PowerOff}},
		{"speaker-set-volume", action.Action{Type: action.Volume, SetVolume: true, VolumeLevel: 50}},
		{"speaker-adjust-volume", action.Action{Type: action.Volume, VolumeDelta: -20}},
		{"speaker-adjust-volume-default-step", action.Action{Type: action.Volume, VolumeDelta: skill.DefaultVolumeStep}},
		{"speaker-set-mute", action.Action{Type: action.Mute, Muted: true}},
		{"step-speaker-adjust-volume", action.Action{Type: action.Volume, VolumeDelta: -20}},
		{"step-speaker-set-mute", action.Action{Type: action.Mute, Muted: true}},
		{"input-controller-select-input", action.Action{Type: action.Input, InputName: "HDMI 1"}},
		{"input-controller-select-input-spaced", action.Action{Type: action.Input, InputName: "HDMI 2"}},
		{"change-channel-number", action.Action{Type: action.TuneChannel, Channel: &action.Channel{Number: "206", CallSign: "ESPN", Name: "ESPN", ProgramID: "program-sportscenter", ProgramTitle: "SportsCenter"}}},
		{"change-channel-name-only", action.Action{Type: action.TuneChannel, Channel: &action.Channel{Number: "231", CallSign: "FOOD", Name: "Food Network"}}},
		{"skip-channels", action.Action{Type: action.TuneChannel, Channel: &action.Channel{Number: "7", CallSign: "WABC", Name: "ABC"}}},
		{"search-play-channel", action.Action{Type: action.TuneChannel, Channel: &action.Channel{Number: "206", CallSign: "ESPN", Name: "ESPN", ProgramID: "program-sportscenter", ProgramTitle: "SportsCenter"}}},
		{"search-play-sport", action.Action{Type: action.TuneChannel, Channel: &action.Channel{Number: "206", CallSign: "ESPN", Name: "ESPN", ProgramID: "program-sportscenter", ProgramTitle: "SportsCenter"}}},
		{"search-play-app", action.Action{Type: action.Launch, Target: action.TargetHome}},
		{"search-play-franchise", action.Action{Type: action.PlayContent, Content: &action.Content{ID: "movie-prey", Title: "Prey", DurationMs: 99 * 60_000}}},
		{"search-display-genre", action.Action{Type: action.ShowResults, Query: "comedy", Results: []action.Result{{ID: "movie-palm-springs", Title: "Palm Springs", Kind: action.KindMovie}}}},
		{"search-display-director-movie", action.Action{Type: action.ShowResults, Query: "Dan Trachtenberg", Results: []action.Result{{ID: "movie-prey", Title: "Prey", Kind: action.KindMovie}}}},
		{"search-display-title", action.Action{Type: action.ShowResults, Query: "The Handmaid's Tale", Results: []action.Result{{ID: "series-handmaids-tale", Title: "The Handmaid's Tale", Kind: action.KindSeries}}}},
		{"start-recording", action.Action{Type: action.Record, Recording: &action.Recording{ContentID: "episode-handmaids-tale-1-2", Title: "Birth Day"}}},
		{"search-and-record", action.Action{Type: action.Record, Recording: &action.Recording{ContentID: "movie-prey", Title: "Prey"}}},
		{"search-and-record-channel", action.Action{Type: action.Record, Recording: &action.Recording{ContentID: "program-sportscenter", Title: "SportsCenter", ChannelNumber: "206", CallSign: "ESPN"}}},
	}
	for _, c := range cases {
		t.Run(c.request, func(t *testing.T) {
			h, notifier := newHandler(t)
			raw, err := os.ReadFile("testdata/" + c.request + ".request.json")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.Handle(context.Background(), raw); err != nil {
				t.Fatal(err)
			}
			sent := notifier.Sent()
			if len(sent) != 1 {
				t.Fatalf("sent %d actions, want 1", len(sent))
			}
			got := sent[0]
			if got.RegistrationID != "reg-living-room" || got.Action.Type != c.want.Type || got.Action.ID == "" || !got.Action.Time.Equal(now) {
				t.Fatalf("sent %+v", got)
			}
			if got.Action.PositionMs != c.want.PositionMs || got.Action.DeltaMs != c.want.DeltaMs || got.Action.Target != c.want.Target || got.Action.Key != c.want.Key || got.Action.Power != c.want.Power {
				t.Fatalf("sent %+v, want %+v", got.Action, c.want)
			}
			if !reflect.DeepEqual(got.Action.Channel, c.want.Channel) || !reflect.DeepEqual(got.Action.Results, c.want.Results) ||
				!reflect.DeepEqual(got.Action.Recording, c.want.Recording) || got.Action.Query != c.want.Query {
				t.Fatalf("sent %+v\nwant %+v", got.Action, c.want)
			}
			if (got.Action.Content == nil) != (c.want.Content == nil) || (c.want.Content != nil && *got.Action.Content != *c.want.Content) {
				t.Fatalf("content = %+v, want %+v", got.Action.Content, c.want.Content)
			}
		})
	}
}

// A failed send must not be reported as success, and nothing else is sent.
func TestErrorsSendNothing(t *testing.T) {
	for _, name := range []string{"pause-unknown-endpoint", "pause-other-accounts-registration", "directed-user-id-unknown-registration", "pause-bad-token", "pause-expired-token", "search-no-subscription", "search-unknown-title", "unsupported-directive",
		"next-nothing-playing", "seek-out-of-range", "seek-no-delta", "launch-unknown", "keystroke-unknown", "pause-tv-off", "pause-not-delivered", "discover-bad-token",
		"change-channel-unknown", "change-channel-empty", "change-channel-on-demand-plan", "skip-channels-zero", "search-display-nothing",
		"search-play-other-app", "search-play-unavailable", "start-recording-on-demand-plan", "start-recording-nothing-on",
		"search-and-record-exists", "cancel-recording-unknown",
		"speaker-set-volume-out-of-range", "speaker-set-volume-tv-off", "speaker-set-mute-missing", "step-speaker-adjust-volume-too-far",
		"input-controller-select-unknown-input"} {
		t.Run(name, func(t *testing.T) {
			h, notifier := newHandler(t)
			raw, err := os.ReadFile("testdata/" + name + ".request.json")
			if err != nil {
				t.Fatal(err)
			}
			msg, err := h.Handle(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Event.Header.Name != "ErrorResponse" {
				t.Fatalf("reply %s, want ErrorResponse", msg.Event.Header.Name)
			}
			if n := len(notifier.Sent()); n != 0 {
				t.Fatalf("sent %d actions", n)
			}
		})
	}
}

// TestInvokeAnyBytes: the raw Lambda entry point answers any payload, JSON
// or not, with a valid Alexa message.
func TestInvokeAnyBytes(t *testing.T) {
	h, _ := newHandler(t)
	for _, payload := range []string{"", "not json", "null", "[]", "{}", `{"directive":{}}`} {
		t.Run(payload, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), []byte(payload))
			if err != nil {
				t.Fatalf("Lambda error: %v", err)
			}
			vsktest.Validate(t, out)
		})
	}
}
