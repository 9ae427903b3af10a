package nlu

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode"

	"livingroom/alexa-sim/ingest"
	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
	"livingroom/internal/vsk"
)

// sampleIndex indexes the project's bundled sample catalog.
func sampleIndex(t *testing.T) (*Index, []ingest.Work, []catalog.Channel) {
	t.Helper()
	rc, err := source.Sample()()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	dec := source.NewDecoder(rc)
	var works []ingest.Work
	var chans []catalog.Channel
	var ichans []ingest.Channel
	for {
		rec, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case rec.Channel != nil:
			c := *rec.Channel
			chans = append(chans, c)
			ichans = append(ichans, ingest.Channel{ID: c.ID, Name: c.Name, CallSigns: []string{c.CallSign}, Number: c.Number})
		case rec.Work.Kind == catalog.Movie:
			works = append(works, ingest.Work{ID: rec.Work.ID, Title: rec.Work.Title, Kind: ingest.Movie})
		case rec.Work.Kind == catalog.Series:
			works = append(works, ingest.Work{ID: rec.Work.ID, Title: rec.Work.Title, Kind: ingest.TVShow})
		}
	}
	return NewIndex(works, ichans), works, chans
}

// plain is a title as a person types it quickly: lower case, no
// punctuation, no leading article.
func plain(title string) string {
	s := strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' {
			return r
		}
		if r == '\'' {
			return -1
		}
		return ' '
	}, title))
	return strings.TrimPrefix(strings.Join(strings.Fields(s), " "), "the ")
}

// typo swaps two letters in the middle of the title's longest word.
func typo(title string) string {
	words := strings.Fields(plain(title))
	longest := 0
	for i, w := range words {
		if len(w) > len(words[longest]) {
			longest = i
		}
	}
	w := []byte(words[longest])
	if len(w) < 5 {
		return ""
	}
	m := len(w) / 2
	w[m], w[m+1] = w[m+1], w[m]
	words[longest] = string(w)
	return strings.Join(words, " ")
}

// Every title of the bundled sample resolves to itself, as written, typed
// plainly, and with a typo; every channel by name, call sign and number.
func TestSampleCatalogResolves(t *testing.T) {
	t.Parallel()
	x, works, chans := sampleIndex(t)
	p := New("livingroom")
	for _, w := range works {
		for _, said := range []string{w.Title, plain(w.Title), typo(w.Title)} {
			if said == "" {
				continue
			}
			in, err := p.Parse(context.Background(), "Alexa, watch "+said, x)
			if err != nil {
				t.Errorf("watch %q: %v", said, err)
				continue
			}
			es := in.Payload.(vsk.EntityPayload).Entities
			if len(es) == 0 || es[0].ExternalIDs["livingroom"] != w.ID {
				t.Errorf("watch %q → %+v, want %s", said, es, w.ID)
			}
		}
	}
	for _, c := range chans {
		for _, said := range []string{"tune to " + c.Name, "go to " + c.CallSign, "tune to channel " + c.Number, "put on " + strings.ToLower(c.Name)} {
			in, err := p.Parse(context.Background(), said, x)
			if err != nil {
				t.Errorf("%q: %v", said, err)
				continue
			}
			got, ok := in.Payload.(changeChannelPayload)
			if !ok || got.Channel.Number != c.Number {
				t.Errorf("%q → %s %+v, want channel %s", said, in, in.Payload, c.Number)
			}
		}
	}
}
