package nlu

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"livingroom/internal/goldentest"

	"livingroom/alexa-sim/ingest"
	"livingroom/internal/vsk"
	"livingroom/internal/vsk/vsktest"
)

func testCatalog() *ingest.Catalog {
	return ingest.New([]ingest.Work{
		{ID: "series-handmaids-tale", Title: "The Handmaid's Tale", Kind: ingest.TVShow},
		{ID: "movie-palm-springs", Title: "Palm Springs", Kind: ingest.Movie},
		{ID: "movie-fargo", Title: "Fargo", Kind: ingest.Movie},
		{ID: "series-fargo", Title: "Fargo", Kind: ingest.TVShow},
		{ID: "series-money-heist", Title: "Money Heist", Kind: ingest.TVShow},
		{ID: "movie-open-season-2", Title: "Open Season 2", Kind: ingest.Movie},
	}, nil)
}

var testTarget = Target{
	EndpointID: "firetv-living-room-001",
	Token:      "partner-token-alice",
	Cookie:     map[string]string{"applicationInstanceId": "amzn1.adm-registration.v3.test-alice", "appPackageName": "com.example.livingroom"},
}

func TestParseGolden(t *testing.T) {
	t.Parallel()
	// Several phrasings of one command share a golden file.
	tests := []struct {
		utterance string
		golden    string
	}{
		{"watch The Handmaid's Tale", "watch-handmaids-tale"},
		{"Alexa, watch The Handmaid's Tale", "watch-handmaids-tale"},
		{"alexa watch the handmaid's tale.", "watch-handmaids-tale-lower"},
		{"ALEXA, PLAY THE HANDMAID’S TALE!!!", "play-handmaids-tale-shouted"},
		{"play the handmaids tale on the big screen", "play-handmaids-tale-contained"},
		{"play Palm Springs", "play-palm-springs"},
		{"put on palm springs please", "put-on-palm-springs"},
		{"let's watch Palm Springs", "lets-watch-palm-springs"},
		{"start Fargo", "start-fargo-movie"},
		{"stream fargo season 2", "stream-fargo-season-2"},
		{"start watching Money Heist", "start-watching-money-heist"},
		{"watch The Handmaid's Tale season 2 episode 3", "watch-handmaids-tale-s2e3"},
		{"watch The Handmaid's Tale, season two, episode three", "watch-handmaids-tale-s2e3-words"},
		{"watch season twenty episode one of the handmaid's tale", "watch-s20e1-of-handmaids-tale"},
		{"watch episode 5 of The Handmaid's Tale", "watch-episode-5-of-handmaids-tale"},
		{"watch Open Season 2", "watch-open-season-2"},
		{"watch Some Unknown Show", "watch-unknown"},
		{"watch Some Unknown Show season 4", "watch-unknown-season-4"},
		{"pause", "pause"},
		{"Alexa, pause.", "pause"},
		{"please pause", "pause"},
		{"pause it", "pause"},
		{"play", "play"},
		{"Alexa, play!", "play"},
		{"resume", "play"},
		{"continue", "play"},
		{"unpause", "play"},
		{"stop", "stop"},
		{"alexa stop playing", "stop"},
	}
	examples := officialRequests(t)
	p := New("livingroom")
	for _, tt := range tests {
		t.Run(tt.utterance, func(t *testing.T) {
			intent, err := p.Parse(tt.utterance, testCatalog())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			req, err := intent.Directive(testTarget, RandomIDs())
			if err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(req)
			if err != nil {
				t.Fatal(err)
			}
			checkDirective(t, raw, examples)
			goldentest.Assert(t, filepath.Join("testdata", tt.golden+".json"), normalise(t, raw))
		})
	}
}

func TestParseNotUnderstood(t *testing.T) {
	t.Parallel()
	tests := []string{
		"",
		"   ",
		"alexa",
		"Alexa, please",
		"what's the weather",
		"watch",
		"alexa, stream",
		"play season 2",
		"watch episode three",
		"pause the weather",
		"resume the handmaid's tale",
		"stop stop",
		"turn it up",
	}
	p := New("livingroom")
	for _, u := range tests {
		t.Run(u, func(t *testing.T) {
			intent, err := p.Parse(u, testCatalog())
			if !errors.Is(err, ErrNotUnderstood) {
				t.Fatalf("Parse(%q) = %v, %v; want ErrNotUnderstood", u, intent, err)
			}
		})
	}
}

func TestParseEmptyCatalog(t *testing.T) {
	t.Parallel()
	intent, err := New("livingroom").Parse("watch The Handmaid's Tale season 1", &ingest.Catalog{})
	if err != nil {
		t.Fatal(err)
	}
	got := intent.Payload.(vsk.EntityPayload)
	want := []vsk.Entity{{Type: "Video", Value: "The Handmaid's Tale"}, {Type: "Season", Value: "1"}}
	if !slices.EqualFunc(got.Entities, want, func(a, b vsk.Entity) bool { return a.Type == b.Type && a.Value == b.Value && a.ExternalIDs == nil }) {
		t.Errorf("entities = %+v, want %+v", got.Entities, want)
	}
}

func TestSourceIDKeysExternalIDs(t *testing.T) {
	t.Parallel()
	intent, err := New("hulu_us").Parse("watch palm springs", testCatalog())
	if err != nil {
		t.Fatal(err)
	}
	ids := intent.Payload.(vsk.EntityPayload).Entities[0].ExternalIDs
	if len(ids) != 1 || ids["hulu_us"] != "movie-palm-springs" {
		t.Errorf("externalIds = %v, want hulu_us → movie-palm-springs", ids)
	}
}

func TestDirectiveUsesInjectedIDs(t *testing.T) {
	t.Parallel()
	intent := Intent{Namespace: PlaybackController, Name: "Pause", Payload: struct{}{}}
	req, err := intent.Directive(Target{EndpointID: "e1", Token: "tok"}, IDs{
		MessageID:        func() string { return "msg-1" },
		CorrelationToken: func() string { return "corr-1" },
	})
	if err != nil {
		t.Fatal(err)
	}
	h := req.Directive.Header
	if h.MessageID != "msg-1" || h.CorrelationToken != "corr-1" || h.PayloadVersion != "3" {
		t.Errorf("header = %+v", h)
	}
	if e := req.Directive.Endpoint; e.EndpointID != "e1" || e.Scope.Type != "BearerToken" || e.Scope.Token != "tok" {
		t.Errorf("endpoint = %+v", e)
	}
	if string(req.Directive.Payload) != "{}" {
		t.Errorf("payload = %s, want {}", req.Directive.Payload)
	}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// checkDirective checks that a generated directive reads back into the
// skill's wire types without loss, and has the shape of Amazon's sample for
// the same directive.
func checkDirective(t *testing.T, raw []byte, examples map[string]map[string]any) {
	t.Helper()
	var req vsk.Request
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		t.Fatalf("directive does not parse as vsk.Request: %v\n%s", err, raw)
	}
	d := req.Directive
	if !uuidPattern.MatchString(d.Header.MessageID) {
		t.Errorf("messageId %q is not a UUID v4", d.Header.MessageID)
	}
	if b, err := base64.StdEncoding.DecodeString(d.Header.CorrelationToken); err != nil || len(b) < 32 {
		t.Errorf("correlationToken %q is not long base64: %v", d.Header.CorrelationToken, err)
	}
	if d.Header.Namespace == RemoteVideoPlayer {
		var p vsk.EntityPayload
		pdec := json.NewDecoder(bytes.NewReader(d.Payload))
		pdec.DisallowUnknownFields()
		if err := pdec.Decode(&p); err != nil {
			t.Errorf("payload does not parse as vsk.EntityPayload: %v", err)
		}
	}

	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	key := d.Header.Namespace + "." + d.Header.Name
	sample, ok := examples[key]
	if !ok {
		t.Fatalf("no official sample for %s", key)
	}
	for _, path := range [][]string{{"directive"}, {"directive", "header"}, {"directive", "endpoint"}, {"directive", "endpoint", "scope"}} {
		if g, w := keys(dig(got, path)), keys(dig(sample, path)); !slices.Equal(g, w) {
			t.Errorf("%v keys = %v, official sample has %v", path, g, w)
		}
	}
}

// officialRequests loads Amazon's sample directives by "<namespace>.<name>".
func officialRequests(t *testing.T) map[string]map[string]any {
	t.Helper()
	schema := vsktest.RequireSchema(t)
	files, err := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(schema)), "examples", "*.request.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no official samples near %s: %v", schema, err)
	}
	out := map[string]map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var req vsk.Request
		var m map[string]any
		if err := json.Unmarshal(b, &req); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[req.Directive.Header.Namespace+"."+req.Directive.Header.Name] = m
	}
	return out
}

func dig(m map[string]any, path []string) map[string]any {
	for _, k := range path {
		next, _ := m[k].(map[string]any)
		m = next
	}
	return m
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// normalise replaces the per-directive identifiers so goldens are stable,
// keeping the wire order of the fields.
func normalise(t *testing.T, raw []byte) []byte {
	t.Helper()
	var req vsk.Request
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	req.Directive.Header.MessageID = "MESSAGE-ID"
	req.Directive.Header.CorrelationToken = "CORRELATION-TOKEN"
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(req); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
