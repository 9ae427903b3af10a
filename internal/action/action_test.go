package action

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"livingroom/internal/adm"
	"livingroom/internal/goldentest"
)

var issued = time.Date(2026, 12, 1, 11, 0, 0, 123_000_000, time.UTC)

func base(t Type) Action { return Action{ID: "act-1", Time: issued, Type: t} }

// valid has one complete action per type; the golden files hold their encodings.
var valid = []struct {
	name string
	a    Action
}{
	{"play-episode", with(base(PlayContent), func(a *Action) {
		a.Content = &Content{ID: "ep-1-2", Title: "Late", SeriesID: "series-hm", SeriesTitle: "The Handmaid's Tale",
			Season: 1, Episode: 2, DurationMs: 3_300_000}
		a.PositionMs = 125_000
	})},
	{"play-movie", with(base(PlayContent), func(a *Action) {
		a.Content = &Content{ID: "movie-7", Title: "Heat", DurationMs: 10_200_000}
	})},
	{"pause", base(Pause)},
	{"resume", base(Resume)},
	{"stop", base(Stop)},
	{"start-over", base(StartOver)},
	{"seek-back", with(base(Seek), func(a *Action) { a.DeltaMs = -10_000 })},
	{"seek-forward", with(base(Seek), func(a *Action) { a.DeltaMs = 30_000 })},
	{"tune-channel", with(base(TuneChannel), func(a *Action) {
		a.Channel = &Channel{Number: "1234", CallSign: "KTVX", Name: "Channel Four", ProgramID: "prog-9", ProgramTitle: "Evening News"}
	})},
	{"tune-channel-call-sign-only", with(base(TuneChannel), func(a *Action) { a.Channel = &Channel{CallSign: "PBS"} })},
	{"show-results", with(base(ShowResults), func(a *Action) {
		a.Query = "comedy & drama"
		a.Results = []Result{
			{ID: "movie-7", Title: "Heat", Kind: KindMovie},
			{ID: "series-hm", Title: "The Handmaid's Tale", Kind: KindSeries},
			{ID: "ep-1-2", Title: "Late <S1E2>", Kind: KindEpisode},
			{ID: "ch-1234", Title: "Channel Four", Kind: KindChannel},
		}
	})},
	{"show-no-results", with(base(ShowResults), func(a *Action) { a.Query = "nothing"; a.Results = []Result{} })},
	{"show-results-without-query", with(base(ShowResults), func(a *Action) { a.Results = []Result{{ID: "movie-7", Title: "Heat", Kind: KindMovie}} })},
	{"launch-guide", with(base(Launch), func(a *Action) { a.Target = TargetGuide })},
	{"keystroke-select", with(base(Keystroke), func(a *Action) { a.Key = KeySelect })},
	{"power-off", with(base(PowerSet), func(a *Action) { a.Power = PowerOff })},
	{"power-on", with(base(PowerSet), func(a *Action) { a.Power = PowerOn })},
	{"record-show", with(base(Record), func(a *Action) {
		a.Recording = &Recording{ContentID: "prog-9", Title: "Evening News", ChannelNumber: "1234", CallSign: "KTVX"}
	})},
	{"record-channel", with(base(Record), func(a *Action) {
		a.Recording = &Recording{Title: "KTVX live", CallSign: "KTVX"}
	})},
	{"volume-set", with(base(Volume), func(a *Action) { a.SetVolume, a.VolumeLevel = true, 35 })},
	{"volume-set-zero", with(base(Volume), func(a *Action) { a.SetVolume = true })},
	{"volume-down", with(base(Volume), func(a *Action) { a.VolumeDelta = -20 })},
	{"mute", with(base(Mute), func(a *Action) { a.Muted = true })},
	{"unmute", base(Mute)},
	{"input-hdmi", with(base(Input), func(a *Action) { a.InputName = "HDMI 2" })},
}

func with(a Action, f func(*Action)) Action { f(&a); return a }

func TestRoundTripEveryType(t *testing.T) {
	t.Parallel()
	covered := map[Type]bool{}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.a.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			data := tc.a.Encode()
			got, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode(Encode(a)): %v", err)
			}
			if !reflect.DeepEqual(got, tc.a) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, tc.a)
			}
			var b bytes.Buffer
			enc := json.NewEncoder(&b) // map keys sorted
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(data); err != nil {
				t.Fatal(err)
			}
			goldentest.Assert(t, filepath.Join("testdata", tc.name+".json"), b.Bytes())
		})
		covered[tc.a.Type] = true
	}
	for _, typ := range []Type{PlayContent, Pause, Resume, Stop, StartOver, Seek, TuneChannel, ShowResults, Launch, Keystroke, PowerSet, Record, Volume, Mute, Input} {
		if !covered[typ] {
			t.Errorf("no round-trip case for %s", typ)
		}
	}
}

func TestEveryEnumValueRoundTrips(t *testing.T) {
	t.Parallel()
	var cases []Action
	for v := range targets {
		cases = append(cases, with(base(Launch), func(a *Action) { a.Target = Target(v) }))
	}
	for v := range keys {
		cases = append(cases, with(base(Keystroke), func(a *Action) { a.Key = Key(v) }))
	}
	for v := range powers {
		cases = append(cases, with(base(PowerSet), func(a *Action) { a.Power = Power(v) }))
	}
	for v := range kinds {
		cases = append(cases, with(base(ShowResults), func(a *Action) {
			a.Query = "q"
			a.Results = []Result{{ID: "x", Title: "X", Kind: ResultKind(v)}}
		}))
	}
	if len(cases) != 5+11+2+4 {
		t.Fatalf("%d enum cases, want 22: update this test with the enums", len(cases))
	}
	for _, a := range cases {
		got, err := Decode(a.Encode())
		if err != nil || !reflect.DeepEqual(got, a) {
			t.Errorf("%+v: got %+v, %v", a, got, err)
		}
	}
}

// goodData returns the encoding of the named valid action, to break.
func goodData(t *testing.T, name string) map[string]string {
	t.Helper()
	for _, tc := range valid {
		if tc.name == name {
			return tc.a.Encode()
		}
	}
	t.Fatalf("no valid case %q", name)
	return nil
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		from   string            // a valid case to start from
		set    map[string]string // keys to set
		delete []string          // keys to remove
		want   string            // in the error
	}{
		{name: "unknown version", from: "pause", set: map[string]string{"v": "2"}, want: `version "2"`},
		{name: "missing version", from: "pause", delete: []string{"v"}, want: "version"},
		{name: "unknown type", from: "pause", set: map[string]string{"type": "EJECT"}, want: `unknown type "EJECT"`},
		{name: "missing type", from: "pause", delete: []string{"type"}, want: "unknown type"},
		{name: "lower-case type", from: "pause", set: map[string]string{"type": "pause"}, want: "unknown type"},
		{name: "missing id", from: "pause", delete: []string{"id"}, want: "missing id"},
		{name: "id too long", from: "pause", set: map[string]string{"id": strings.Repeat("i", MaxIDBytes+1)}, want: "id is 257 bytes"},
		{name: "missing timestamp", from: "pause", delete: []string{"ts"}, want: "ts"},
		{name: "timestamp not an integer", from: "pause", set: map[string]string{"ts": "yesterday"}, want: "ts"},
		{name: "not UTF-8", from: "pause", set: map[string]string{"extra": "\xff"}, want: "not UTF-8"},
		{name: "over 6 KB", from: "pause", set: map[string]string{"extra": strings.Repeat("x", adm.MaxDataBytes)}, want: "bytes of data"},

		{name: "play without contentId", from: "play-movie", delete: []string{"contentId"}, want: "missing contentId"},
		{name: "play season not an integer", from: "play-episode", set: map[string]string{"season": "one"}, want: "season"},
		{name: "play negative episode", from: "play-episode", set: map[string]string{"episode": "-2"}, want: "episode"},
		{name: "play position not an integer", from: "play-movie", set: map[string]string{"positionMs": "1.5"}, want: "positionMs"},
		{name: "play duration over three years", from: "play-movie", set: map[string]string{"durationMs": "100000000001"}, want: "durationMs"},
		{name: "play position over three years", from: "play-movie", set: map[string]string{"positionMs": "100000000001"}, want: "positionMs"},
		{name: "play duration overflows", from: "play-movie", set: map[string]string{"durationMs": "99999999999999999999"}, want: "durationMs"},
		{name: "play title too long", from: "play-movie", set: map[string]string{"title": strings.Repeat("t", MaxTextBytes+1)}, want: "title"},
		{name: "play series id too long", from: "play-episode", set: map[string]string{"seriesId": strings.Repeat("s", MaxIDBytes+1)}, want: "seriesId"},

		{name: "seek without delta", from: "seek-back", delete: []string{"deltaMs"}, want: "deltaMs"},
		{name: "seek empty delta", from: "seek-back", set: map[string]string{"deltaMs": ""}, want: "deltaMs"},
		{name: "seek delta not an integer", from: "seek-back", set: map[string]string{"deltaMs": "ten"}, want: "deltaMs"},
		{name: "seek delta over a day", from: "seek-forward", set: map[string]string{"deltaMs": "86400001"}, want: "deltaMs"},
		{name: "seek delta under minus a day", from: "seek-back", set: map[string]string{"deltaMs": "-86400001"}, want: "deltaMs"},

		{name: "tune without number or call sign", from: "tune-channel", delete: []string{"channelNumber", "callSign"}, want: "needs channelNumber or callSign"},
		{name: "tune channel number with letters", from: "tune-channel", set: map[string]string{"channelNumber": "12a"}, want: "channelNumber"},
		{name: "tune channel number starting with a dot", from: "tune-channel", set: map[string]string{"channelNumber": ".5"}, want: "channelNumber"},
		{name: "tune channel number too long", from: "tune-channel", set: map[string]string{"channelNumber": strings.Repeat("1", MaxChannelLen+1)}, want: "channelNumber"},
		{name: "tune call sign too long", from: "tune-channel", set: map[string]string{"callSign": strings.Repeat("K", MaxCallSignLen+1)}, want: "callSign"},
		{name: "tune program id too long", from: "tune-channel", set: map[string]string{"programId": strings.Repeat("p", MaxIDBytes+1)}, want: "programId"},

		{name: "results missing", from: "show-results", delete: []string{"results"}, want: "missing results"},
		{name: "results not JSON", from: "show-results", set: map[string]string{"results": "movie-7,Heat"}, want: "not a JSON array"},
		{name: "results JSON null", from: "show-results", set: map[string]string{"results": "null"}, want: "not a JSON array"},
		{name: "results an object", from: "show-results", set: map[string]string{"results": `{"id":"x"}`}, want: "not a JSON array"},
		{name: "results trailing garbage", from: "show-results", set: map[string]string{"results": `[] x`}, want: "not a JSON array"},
		{name: "results wrong field type", from: "show-results", set: map[string]string{"results": `[{"id":7,"title":"x","kind":"movie"}]`}, want: "not a JSON array"},
		{name: "result without id", from: "show-results", set: map[string]string{"results": `[{"title":"x","kind":"movie"}]`}, want: "results[0]"},
		{name: "result without title", from: "show-results", set: map[string]string{"results": `[{"id":"x","kind":"movie"}]`}, want: "results[0]"},
		{name: "result unknown kind", from: "show-results", set: map[string]string{"results": `[{"id":"x","title":"X","kind":"app"}]`}, want: "kind"},
		{name: "eleven results", from: "show-results", set: map[string]string{"results": "[" + strings.Repeat(`{"id":"x","title":"X","kind":"movie"},`, 10) + `{"id":"x","title":"X","kind":"movie"}]`}, want: "11 results"},

		{name: "launch unknown target", from: "launch-guide", set: map[string]string{"target": "netflix"}, want: "target"},
		{name: "launch missing target", from: "launch-guide", delete: []string{"target"}, want: "target"},
		{name: "launch upper-case target", from: "launch-guide", set: map[string]string{"target": "GUIDE"}, want: "target"},
		{name: "keystroke unknown key", from: "keystroke-select", set: map[string]string{"key": "VOLUME_UP"}, want: "key"},
		{name: "keystroke missing key", from: "keystroke-select", delete: []string{"key"}, want: "key"},
		{name: "power unknown state", from: "power-off", set: map[string]string{"power": "STANDBY"}, want: "power"},
		{name: "power missing", from: "power-off", delete: []string{"power"}, want: "power"},

		{name: "record without title", from: "record-show", delete: []string{"title"}, want: "without title"},
		{name: "record without content or call sign", from: "record-show", delete: []string{"contentId", "callSign"}, want: "needs contentId or callSign"},
		{name: "record bad channel number", from: "record-show", set: map[string]string{"channelNumber": "four"}, want: "channelNumber"},

		{name: "volume with level and delta", from: "volume-set", set: map[string]string{"volumeDelta": "5"}, want: "exactly one"},
		{name: "volume with neither", from: "volume-set", delete: []string{"volume"}, want: "exactly one"},
		{name: "volume over 100", from: "volume-set", set: map[string]string{"volume": "101"}, want: "volume"},
		{name: "volume negative", from: "volume-set", set: map[string]string{"volume": "-1"}, want: "volume"},
		{name: "volume empty", from: "volume-set", set: map[string]string{"volume": ""}, want: "volume"},
		{name: "volume not an integer", from: "volume-set", set: map[string]string{"volume": "loud"}, want: "volume"},
		{name: "volume delta under -100", from: "volume-down", set: map[string]string{"volumeDelta": "-101"}, want: "volumeDelta"},
		{name: "volume delta a float", from: "volume-down", set: map[string]string{"volumeDelta": "2.5"}, want: "volumeDelta"},
		{name: "mute not a boolean", from: "mute", set: map[string]string{"muted": "yes"}, want: "muted"},
		{name: "mute missing", from: "mute", delete: []string{"muted"}, want: "muted"},
		{name: "input missing", from: "input-hdmi", delete: []string{"input"}, want: "input"},
		{name: "input with markup", from: "input-hdmi", set: map[string]string{"input": "<HDMI>"}, want: "input"},
		{name: "input too long", from: "input-hdmi", set: map[string]string{"input": strings.Repeat("H", MaxInputBytes+1)}, want: "input"},
		{name: "input padded", from: "input-hdmi", set: map[string]string{"input": " HDMI 1"}, want: "input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := goodData(t, tc.from)
			maps.Copy(data, tc.set)
			for _, k := range tc.delete {
				delete(data, k)
			}
			a, err := Decode(data)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Decode = %+v, %v; want ErrInvalid", a, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error is %d bytes: errors must not echo unbounded input", len(err.Error()))
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", MaxIDBytes+1)
	cases := []struct {
		name string
		a    Action
		want string // "" for valid
	}{
		{"unstamped pause is valid", Action{Type: Pause}, ""},
		{"unstamped play is valid", Action{Type: PlayContent, Content: &Content{ID: "m"}}, ""},
		{"play without content", Action{Type: PlayContent}, "contentId"},
		{"play content id too long", Action{Type: PlayContent, Content: &Content{ID: long}}, "contentId is 257 bytes"},
		{"long title is cut, not refused", Action{Type: PlayContent, Content: &Content{ID: "m", Title: strings.Repeat("t", 10_000)}}, ""},
		{"seek too far", Action{Type: Seek, DeltaMs: MaxSeekDeltaMs + 1}, "deltaMs"},
		{"tune nothing", Action{Type: TuneChannel, Channel: &Channel{Name: "News"}}, "needs channelNumber"},
		{"tune without channel", Action{Type: TuneChannel}, "needs channelNumber"},
		{"tune bad number", Action{Type: TuneChannel, Channel: &Channel{Number: "x1"}}, "channelNumber"},
		{"tune long call sign", Action{Type: TuneChannel, Channel: &Channel{CallSign: strings.Repeat("K", 65)}}, "needs channelNumber"},
		{"results eleven", Action{Type: ShowResults, Query: "q", Results: make([]Result, 11)}, "11 results"},
		{"results bad kind", Action{Type: ShowResults, Query: "q", Results: []Result{{ID: "a", Title: "A", Kind: "app"}}}, "result 0"},
		{"results empty id", Action{Type: ShowResults, Query: "q", Results: []Result{{Title: "A", Kind: KindMovie}}}, "result 0"},
		{"results without query are valid", Action{Type: ShowResults, Results: []Result{{ID: "m", Title: "M", Kind: KindMovie}}}, ""},
		{"results over the query bound are cut, not refused", Action{Type: ShowResults, Query: strings.Repeat("q", 2*MaxTextBytes), Results: []Result{}}, ""},
		{"launch bad target", Action{Type: Launch, Target: "apps"}, "target"},
		{"keystroke bad key", Action{Type: Keystroke, Key: "up"}, "key"},
		{"power bad", Action{Type: PowerSet, Power: "on"}, "power"},
		{"record without recording", Action{Type: Record}, "title"},
		{"unknown type", Action{Type: "REBOOT"}, "unknown type"},
		{"very long type", Action{Type: Type(strings.Repeat("T", 100))}, "unknown type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.a.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want ErrInvalid mentioning %q", err, tc.want)
			}
		})
	}
}

func TestEncodeStaysWithin6KB(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("é", 5_000) // two bytes a character: cuts must not split one
	maxID := strings.Repeat("i", MaxIDBytes)
	tenResults := func(title string) []Result {
		rs := make([]Result, MaxResults)
		for i := range rs {
			rs[i] = Result{ID: fmt.Sprintf("%s-%d", maxID[:MaxIDBytes-3], i), Title: title, Kind: KindMovie}
		}
		return rs
	}
	cases := []struct {
		name        string
		a           Action
		wantResults int // SHOW_RESULTS: how many survive
	}{
		{name: "play with huge titles", a: Action{ID: maxID, Type: PlayContent, Content: &Content{ID: maxID, SeriesID: maxID, Title: huge, SeriesTitle: huge}}},
		{name: "tune with huge names", a: Action{ID: maxID, Type: TuneChannel, Channel: &Channel{Number: "1", Name: huge, ProgramID: maxID, ProgramTitle: huge}}},
		{name: "record with a huge title", a: Action{ID: maxID, Type: Record, Recording: &Recording{ContentID: maxID, Title: huge}}},
		{name: "ten results with huge titles", a: Action{ID: maxID, Type: ShowResults, Query: huge, Results: tenResults(huge)}, wantResults: 10},
		{name: "ten results with HTML-heavy titles", a: Action{ID: maxID, Type: ShowResults, Query: huge, Results: tenResults(strings.Repeat("<&>", 400))}, wantResults: 10},
		{name: "more than ten results keeps the first ten", a: Action{ID: "a", Type: ShowResults, Query: "q", Results: append(tenResults("T"), Result{ID: "11", Title: "E", Kind: KindMovie})}, wantResults: 10},
		{name: "invalid results are skipped", a: Action{ID: "a", Type: ShowResults, Query: "q", Results: []Result{{ID: "", Title: "x", Kind: KindMovie}, {ID: "ok", Title: "y", Kind: KindSeries}}}, wantResults: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := tc.a.Encode()
			if n := adm.DataSize(data); n > adm.MaxDataBytes {
				t.Fatalf("encoded %d bytes, over %d", n, adm.MaxDataBytes)
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if tc.a.Type == ShowResults {
				if len(got.Results) != tc.wantResults {
					t.Errorf("%d results survived, want %d", len(got.Results), tc.wantResults)
				}
				original := map[string]string{}
				for _, r := range tc.a.Results {
					original[r.ID] = r.Title
				}
				for i, r := range got.Results {
					if r.Title == "" || !strings.HasPrefix(original[r.ID], r.Title) {
						t.Errorf("result %d title %q is not a prefix of the original", i, r.Title)
					}
				}
			}
		})
	}
}

func TestEncodeLeavesOutOverlongIDs(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", MaxIDBytes+1)
	a := Action{ID: "a", Type: PlayContent, Content: &Content{ID: long, Title: "T"}}
	if _, err := Decode(a.Encode()); err == nil || !strings.Contains(err.Error(), "missing contentId") {
		t.Fatalf("Decode(Encode(over-long content id)) = %v; want it refused, never a cut id", err)
	}
}

func TestCutText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    string
		limit int
		want  string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"aéb", 2, "a"}, // é is two bytes: not split
		{"日本", 4, "日"},
		{"", 3, ""},
	}
	for _, tc := range cases {
		if got := cutText(tc.in, tc.limit); got != tc.want {
			t.Errorf("cutText(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
		}
	}
}
