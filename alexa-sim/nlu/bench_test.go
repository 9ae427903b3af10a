package nlu

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"

	"livingroom/alexa-sim/ingest"
	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
	"livingroom/internal/vsk"
)

// benchWorks is the size of the catalog the issue sets the target on.
const benchWorks = 120_000

var (
	syntheticOnce  sync.Once
	syntheticIndex *Index
	syntheticShow  ingest.Work // a series of the synthetic catalog
	syntheticMovie ingest.Work // a movie of it
	syntheticChan  ingest.Channel
	wordsOnce      sync.Once
	wordsIndex     *Index
)

// synthetic indexes the exporter's synthetic catalog of benchWorks works
// (series, seasons, episodes, movies and channels; series and movies have
// the titles that resolve).
func synthetic(b *testing.B) *Index {
	syntheticOnce.Do(func() {
		var works []ingest.Work
		var channels []ingest.Channel
		err := source.Synthetic{Works: benchWorks, Seed: 1}.Walk(context.Background(), func(rec source.Record) error {
			switch {
			case rec.Channel != nil:
				c := rec.Channel
				channels = append(channels, ingest.Channel{ID: c.ID, Name: c.Name, CallSigns: []string{c.CallSign}, Number: c.Number})
			case rec.Work.Kind == catalog.Movie:
				works = append(works, ingest.Work{ID: rec.Work.ID, Title: rec.Work.Title, Kind: ingest.Movie})
			case rec.Work.Kind == catalog.Series:
				works = append(works, ingest.Work{ID: rec.Work.ID, Title: rec.Work.Title, Kind: ingest.TVShow})
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		syntheticIndex = NewIndex(works, channels)
		// Titles that name exactly one work, so the benchmark can check
		// what it resolved.
		for _, w := range works {
			m, ok := syntheticIndex.findTitle(mustTokens(b, w.Title))
			if !ok || len(syntheticIndex.titles[m.title].works) != 1 || len(strings.Fields(w.Title)) != 3 {
				continue
			}
			switch {
			case w.Kind == ingest.TVShow && syntheticShow.ID == "":
				syntheticShow = w
			case w.Kind == ingest.Movie && syntheticMovie.ID == "":
				syntheticMovie = w
			}
		}
		syntheticChan = channels[len(channels)/2]
		if syntheticShow.ID == "" || syntheticMovie.ID == "" {
			b.Fatal("no unique three-word titles in the synthetic catalog")
		}
	})
	return syntheticIndex
}

func mustTokens(b *testing.B, s string) []token {
	toks, err := tokenize(s)
	if err != nil {
		b.Fatal(err)
	}
	return toks
}

// misspell swaps two letters in the middle of the longest word.
func misspell(title string) string {
	words := strings.Fields(title)
	longest := 0
	for i, w := range words {
		if len(w) > len(words[longest]) {
			longest = i
		}
	}
	w := []byte(words[longest])
	if m := len(w) / 2; len(w) >= 5 {
		w[m], w[m+1] = w[m+1], w[m]
	}
	words[longest] = string(w)
	return strings.Join(words, " ")
}

// wordy indexes benchWorks distinct titles of 1 to 5 made-up words from a
// vocabulary of 40,000, so spelling correction has a large vocabulary to
// search (the synthetic catalog's titles share a few words).
func wordy(b *testing.B) *Index {
	wordsOnce.Do(func() {
		r := rand.New(rand.NewPCG(1, 2))
		syllables := strings.Fields("ka lo mi ne ra tu si ve po da gri mon tar lek sul bren cha dor fin gal")
		vocab := make([]string, 40_000)
		for i := range vocab {
			var sb strings.Builder
			for range 2 + r.IntN(3) {
				sb.WriteString(syllables[r.IntN(len(syllables))])
			}
			vocab[i] = sb.String()
		}
		works := make([]ingest.Work, benchWorks)
		for i := range works {
			n := 1 + r.IntN(5)
			parts := make([]string, n)
			for j := range parts {
				parts[j] = vocab[r.IntN(len(vocab))]
			}
			works[i] = ingest.Work{ID: fmt.Sprintf("w%d", i), Title: strings.Join(parts, " "), Kind: ingest.Movie}
		}
		wordsIndex = NewIndex(works, nil)
	})
	return wordsIndex
}

// BenchmarkParse measures parse + resolve of 10-word utterances against a
// 120,000-work catalog (target: ≤ 20 µs each), checking what resolved.
func BenchmarkParse(b *testing.B) {
	p := New("livingroom")
	ctx := context.Background()
	synthetic(b)
	for _, bb := range []struct {
		name, utterance string
		index           func(*testing.B) *Index
		wantID          string // the externalIds value the first entity must carry
	}{
		{"synthetic/title-season-episode", "Alexa please watch " + syntheticShow.Title + " season 2 episode 3", synthetic, syntheticShow.ID},
		{"synthetic/misspelt", "Alexa please watch " + misspell(syntheticMovie.Title) + " on the tv now", synthetic, syntheticMovie.ID},
		{"synthetic/not-in-catalog", "Alexa please watch something that is not in this catalog", synthetic, ""},
		{"synthetic/channel", "Alexa could you please tune to channel " + syntheticChan.Number + " right now", synthetic, ""},
		{"synthetic/seek", "Alexa please fast forward two minutes and thirty seconds now", synthetic, ""},
		{"wordy/not-in-catalog", "Alexa please watch something that is not in this catalog", wordy, ""},
		{"wordy/misspelt", "Alexa please watch kalomi nerratu sivepo dagri monta lek please", wordy, ""},
	} {
		x := bb.index(b)
		if n := len(strings.Fields(bb.utterance)); n != 10 {
			b.Fatalf("%q has %d words, want 10", bb.utterance, n)
		}
		in, err := p.Parse(ctx, bb.utterance, x)
		if err != nil {
			b.Fatalf("%q: %v", bb.utterance, err)
		}
		if bb.wantID != "" {
			if es := in.Payload.(vsk.EntityPayload).Entities; es[0].ExternalIDs["livingroom"] != bb.wantID {
				b.Fatalf("%q resolved to %+v, want %s", bb.utterance, es[0], bb.wantID)
			}
		}
		b.Logf("%s: %q", bb.name, bb.utterance)
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Parse(ctx, bb.utterance, x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTooLong: a 2,000-word utterance is refused at the byte bound.
func BenchmarkTooLong(b *testing.B) {
	p := New("livingroom")
	u := strings.Repeat("watch ", 2000)
	x := synthetic(b)
	for b.Loop() {
		if _, err := p.Parse(context.Background(), u, x); !errors.Is(err, ErrTooLong) {
			b.Fatal(err)
		}
	}
}

// BenchmarkMaxLength: the longest utterance accepted, all of it unknown
// words, is the worst case of matching.
func BenchmarkMaxLength(b *testing.B) {
	p := New("livingroom")
	u := "watch " + strings.TrimSpace(strings.Repeat("zyxwvut ", MaxUtteranceWords-1))
	x := wordy(b)
	for b.Loop() {
		if _, err := p.Parse(context.Background(), u, x); err != nil && !errors.Is(err, ErrNotUnderstood) {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewIndex measures building the index when a catalog is
// ingested, and the heap it keeps.
func BenchmarkNewIndex(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	syllables := strings.Fields("ka lo mi ne ra tu si ve po da gri mon tar lek sul bren cha dor fin gal")
	works := make([]ingest.Work, benchWorks)
	for i := range works {
		parts := make([]string, 1+r.IntN(5))
		for j := range parts {
			var sb strings.Builder
			for range 2 + r.IntN(3) {
				sb.WriteString(syllables[r.IntN(len(syllables))])
			}
			parts[j] = sb.String()
		}
		works[i] = ingest.Work{ID: fmt.Sprintf("w%d", i), Title: strings.Join(parts, " "), Kind: ingest.Movie}
	}
	var before, after runtime.MemStats
	var x *Index
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		x = NewIndex(works, nil)
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "MB-kept")
	b.ReportMetric(float64(len(x.vocab)), "words")
}
