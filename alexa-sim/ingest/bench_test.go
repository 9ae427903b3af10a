package ingest

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"testing"

	"livingroom/internal/cdf"
)

// feed writes a catalog of n shows, each with one season and two episodes,
// the way the exporter does: one element at a time.
func feed(b *testing.B, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<Catalog xmlns="` + cdf.Namespace + `" version="` + cdf.Version + `"><Partner>bench</Partner><Works>`)
	enc := xml.NewEncoder(&buf)
	title := func(s string) []cdf.Localized { return []cdf.Localized{{Locale: "en-US", Value: s}} }
	for i := range n {
		show := fmt.Sprintf("series-%d", i)
		items := []any{
			cdf.TvShow{Common: cdf.Common{ID: show, Titles: title(fmt.Sprintf("Show Number %d", i))}},
			cdf.TvSeason{Common: cdf.Common{ID: show + "-1", Titles: title("Season 1")}, ShowID: show, SeasonInShow: 1},
			cdf.TvEpisode{Common: cdf.Common{ID: show + "-1-1", Titles: title("Pilot")}, ShowID: show, SeasonID: show + "-1", EpisodeInSeason: 1},
			cdf.TvEpisode{Common: cdf.Common{ID: show + "-1-2", Titles: title("Second")}, ShowID: show, SeasonID: show + "-1", EpisodeInSeason: 2},
		}
		for _, it := range items {
			if err := enc.Encode(it); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := enc.Flush(); err != nil {
		b.Fatal(err)
	}
	buf.WriteString(`</Works></Catalog>`)
	return buf.Bytes()
}

func BenchmarkRead(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		doc := feed(b, n)
		b.Run(fmt.Sprintf("shows=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				c, err := Read(context.Background(), bytes.NewReader(doc))
				if err != nil {
					b.Fatal(err)
				}
				if got := c.Counts().Works; got != 4*n {
					b.Fatalf("works %d, want %d", got, 4*n)
				}
			}
		})
	}
}

func BenchmarkFindTitle(b *testing.B) {
	c, err := Read(context.Background(), bytes.NewReader(feed(b, 10_000)))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if w := c.FindTitle("the show number 9999 season 1 episode 2 on the big screen please"); len(w) != 1 {
			b.Fatalf("found %v", w)
		}
	}
}
