package source_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
)

func readAll(t *testing.T, open source.Opener) (works []catalog.Work, channels []catalog.Channel, lineErrs []error) {
	t.Helper()
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	d := source.NewDecoder(rc)
	for {
		rec, err := d.Next()
		if errors.Is(err, io.EOF) {
			return works, channels, lineErrs
		}
		var le *source.LineError
		if errors.As(err, &le) {
			lineErrs = append(lineErrs, err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Work != nil {
			works = append(works, *rec.Work)
		} else {
			channels = append(channels, *rec.Channel)
		}
	}
}

func TestSampleIsValidAndComplete(t *testing.T) {
	t.Parallel()
	works, channels, errs := readAll(t, source.Sample())
	if len(errs) > 0 {
		t.Fatalf("sample has bad lines: %v", errs)
	}
	kinds := map[catalog.Kind]int{}
	episodes := map[string]int{} // season id → episodes
	for _, w := range works {
		if err := w.Validate(); err != nil {
			t.Errorf("sample work: %v", err)
		}
		kinds[w.Kind]++
		if w.Kind == catalog.Episode {
			episodes[w.SeasonID]++
		}
	}
	want := map[catalog.Kind]int{catalog.Series: 2, catalog.Season: 4, catalog.Episode: 59, catalog.Movie: 6}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("sample kinds = %v, want %v", kinds, want)
	}
	for season, n := range map[string]int{
		"season-handmaids-tale-1": 10, "season-handmaids-tale-2": 13, "season-this-is-us-1": 18, "season-this-is-us-2": 18,
	} {
		if episodes[season] != n {
			t.Errorf("%s has %d episodes, want %d", season, episodes[season], n)
		}
	}
	signs := map[string]bool{}
	for _, c := range channels {
		if err := c.Validate(); err != nil {
			t.Errorf("sample channel: %v", err)
		}
		signs[c.CallSign] = true
	}
	if !signs["ESPN"] || !signs["BRAVO"] || len(channels) < 7 {
		t.Fatalf("sample channels = %v", signs)
	}
}

func TestDecoderLineErrors(t *testing.T) {
	t.Parallel()
	input := strings.Join([]string{
		`{"type":"movie","id":"movie-a","title":"A"}`,
		``,
		`{"type":"movie","id":"movie-b",`,
		`{"type":"short","id":"short-c","title":"C"}`,
		`{"type":"movie","id":"movie-d","title":"D","season_id":"x"}`,
		`{"type":"episode","id":"episode-e","season":"1"}`,
		`{"type":"movie","id":"movie-f","title":"F"} {"type":"movie"}`,
		`{"type":"channel","id":"channel-g","name":"G","number":"5"}`,
	}, "\n")
	d := source.NewDecoder(strings.NewReader(input))
	type result struct {
		line int
		id   string
		err  string
	}
	var got []result
	for {
		rec, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		r := result{line: rec.Line}
		switch {
		case err != nil:
			if !errors.Is(err, catalog.ErrInvalid) {
				t.Fatalf("line error %v does not wrap ErrInvalid", err)
			}
			r.err = err.Error()
		case rec.Work != nil:
			r.id = rec.Work.ID
		default:
			r.id = rec.Channel.ID
		}
		got = append(got, r)
	}
	want := []struct {
		line        int
		id, errPart string
	}{
		{1, "movie-a", ""},
		{3, "", "line 3: not a record"},
		{4, "", `line 4: short-c: field "type"`},
		{5, "", `unknown field "season_id"`},
		{6, "", "line 6: not a record"},
		{7, "", "more than one JSON value"},
		{8, "channel-g", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.line != w.line || g.id != w.id || !strings.Contains(g.err, w.errPart) || (w.errPart == "") != (g.err == "") {
			t.Errorf("result %d = %+v, want line %d id %q error containing %q", i, g, w.line, w.id, w.errPart)
		}
	}
}

func TestDecoderTooLongLineIsFatal(t *testing.T) {
	t.Parallel()
	long := `{"type":"movie","id":"movie-a","title":"` + strings.Repeat("x", source.MaxLine) + `"}`
	d := source.NewDecoder(strings.NewReader(long))
	_, err := d.Next()
	var le *source.LineError
	if err == nil || errors.As(err, &le) || !strings.Contains(err.Error(), "line 1: longer than") {
		t.Fatalf("err = %v, want a fatal too-long error", err)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	t.Parallel()
	works, channels, _ := readAll(t, source.Sample())
	var buf bytes.Buffer
	for i := range works {
		if err := source.Encode(&buf, source.Record{Work: &works[i]}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range channels {
		if err := source.Encode(&buf, source.Record{Channel: &channels[i]}); err != nil {
			t.Fatal(err)
		}
	}
	again, againChannels, errs := readAll(t, func() (io.ReadCloser, error) { return io.NopCloser(&buf), nil })
	if len(errs) > 0 || !reflect.DeepEqual(again, works) || !reflect.DeepEqual(againChannels, channels) {
		t.Fatalf("round trip differs (%v)", errs)
	}
}

func TestSynthetic(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 49, 50, 137} {
		works, channels, errs := readAll(t, source.Synthetic(n))
		if len(errs) > 0 || len(works) != n || len(channels) != 20 {
			t.Fatalf("Synthetic(%d) = %d works, %d channels, %v", n, len(works), len(channels), errs)
		}
		ids := map[string]bool{}
		for _, w := range works {
			if err := w.Validate(); err != nil {
				t.Fatalf("Synthetic(%d): %v", n, err)
			}
			if ids[w.ID] {
				t.Fatalf("Synthetic(%d): duplicate id %s", n, w.ID)
			}
			ids[w.ID] = true
			if w.SeasonID != "" && !ids[w.SeasonID] || w.SeriesID != "" && !ids[w.SeriesID] {
				t.Fatalf("Synthetic(%d): %s before its parents", n, w.ID)
			}
		}
	}
}
