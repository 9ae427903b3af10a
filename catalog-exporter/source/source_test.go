package source_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

func walkAll(t *testing.T, src source.Source) []source.Record {
	t.Helper()
	var out []source.Record
	if err := src.Walk(context.Background(), func(r source.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func jsonl(t *testing.T, recs []source.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, r := range recs {
		if err := source.Encode(&buf, r); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestSynthetic(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2, 3, 10, 137, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			recs := walkAll(t, source.Synthetic{Works: n, Seed: 7})
			kinds := map[catalog.Kind]int{}
			ids := map[string]catalog.Kind{}
			prev := ""
			for _, r := range recs {
				if r.ID() <= prev {
					t.Fatalf("%s after %s: not in id order", r.ID(), prev)
				}
				prev = r.ID()
				if r.Channel != nil {
					if err := r.Channel.Validate(); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := r.Work.Validate(); err != nil {
					t.Fatal(err)
				}
				if w := r.Work.Warnings(); len(w) > 0 {
					t.Fatalf("warnings: %v", w)
				}
				kinds[r.Work.Kind]++
				ids[r.Work.ID] = r.Work.Kind
			}
			if len(ids) != n {
				t.Fatalf("%d works, want %d", len(ids), n)
			}
			for _, r := range recs {
				if w := r.Work; w != nil && (w.SeriesID != "" && ids[w.SeriesID] != catalog.Series || w.SeasonID != "" && ids[w.SeasonID] != catalog.Season) {
					t.Fatalf("%s: dangling parent %q/%q", w.ID, w.SeriesID, w.SeasonID)
				}
			}
			if n == 5000 {
				want := map[catalog.Kind]int{catalog.Movie: 200, catalog.Series: 125, catalog.Season: 400, catalog.Episode: 4275}
				if !reflect.DeepEqual(kinds, want) {
					t.Fatalf("mix %v, want %v", kinds, want)
				}
			}
			if again := walkAll(t, source.Synthetic{Works: n, Seed: 7}); !bytes.Equal(jsonl(t, again), jsonl(t, recs)) {
				t.Fatal("two walks differ")
			}
			if n >= 10 && bytes.Equal(jsonl(t, walkAll(t, source.Synthetic{Works: n, Seed: 8})), jsonl(t, recs)) {
				t.Fatal("another seed gives the same catalog")
			}
		})
	}
}

func TestSyntheticRevisionChangesAboutOnePercent(t *testing.T) {
	t.Parallel()
	byID := func(recs []source.Record) map[string]string {
		m := map[string]string{}
		for _, r := range recs {
			if r.Work != nil {
				m[r.ID()] = string(jsonl(t, []source.Record{r}))
			}
		}
		return m
	}
	const n = 50_000
	base := byID(walkAll(t, source.Synthetic{Works: n, Seed: 3}))
	next := byID(walkAll(t, source.Synthetic{Works: n, Seed: 3, Revision: 1}))
	changed, removed := 0, 0
	for id, line := range base {
		other, ok := next[id]
		switch {
		case !ok:
			removed++
		case other != line:
			changed++
		}
	}
	if len(next) > len(base) || changed < n/200 || changed > n/50 || removed < n/5000 || removed > n/300 {
		t.Fatalf("revision 1 changed %d and removed %d of %d works", changed, removed, n)
	}
}

func TestLinesWalksInIDOrder(t *testing.T) {
	t.Parallel()
	src := `{"type":"movie","id":"movie-b","title":"B"}
not json
{"type":"movie","id":"movie-a","title":"A"}

{"type":"movie","id":"movie-b","title":"B again"}
{"type":"series","id":"","title":"no id"}
{"type":"channel","id":"channel-1","name":"One","number":"1"}
`
	l, err := source.Bytes(context.Background(), "test", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range walkAll(t, l) {
		switch {
		case r.Err != nil:
			got = append(got, fmt.Sprintf("line %d: error", r.Line))
		case r.Work != nil:
			got = append(got, fmt.Sprintf("line %d: %s %s", r.Line, r.ID(), r.Work.Title))
		default:
			got = append(got, fmt.Sprintf("line %d: %s", r.Line, r.ID()))
		}
	}
	want := []string{"line 2: error", "line 6:  no id", "line 7: channel-1", "line 3: movie-a A", "line 1: movie-b B", "line 5: movie-b B again"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("walk:\n got %q\nwant %q", got, want)
	}
}
