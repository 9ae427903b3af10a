package ingest

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestLoadDirFeed(t *testing.T) {
	t.Parallel()
	c, err := LoadDir(context.Background(), "testdata/feed")
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{Works: 9, Movies: 2, Shows: 3, Seasons: 1, Episodes: 2, Channels: 3}
	if got := c.Counts(); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	if len(c.Missing) != 0 {
		t.Errorf("missing = %v, want none", c.Missing)
	}
	if len(c.Problems) != 0 || c.ErrorCount != 0 {
		t.Errorf("problems = %q, errors %v", c.Problems, c.Errors)
	}
	// Fargo the show has no episodes in the feed, nor has Money Heist.
	if c.WarningCount != 2 || c.Warnings[0].WorkID != "series-fargo" || c.Warnings[1].Message != "has no episodes" {
		t.Errorf("warnings = %+v", c.Warnings)
	}
}

func TestFindTitle(t *testing.T) {
	t.Parallel()
	c, err := LoadDir(context.Background(), "testdata/feed")
	if err != nil {
		t.Fatal(err)
	}
	handmaid := Work{ID: "series-handmaids-tale", Title: "The Handmaid's Tale", Kind: TVShow}
	palm := Work{ID: "movie-palm-springs", Title: "Palm Springs", Kind: Movie}
	tests := []struct {
		phrase string
		want   []Work
	}{
		{"The Handmaid's Tale", []Work{handmaid}},
		{"handmaids tale", []Work{handmaid}},
		{"THE HANDMAID’S TALE!", []Work{handmaid}},
		{"the handmaid's tale on the big screen", []Work{handmaid}},
		{"palm springs", []Work{palm}},
		{"something palm springs something", []Work{palm}},
		// The longest contained title wins over a shorter one.
		{"palm springs trailer", []Work{palm}}, // the trailer is an Extra, not indexed
		{"fargo", []Work{{ID: "movie-fargo", Title: "Fargo", Kind: Movie}, {ID: "series-fargo", Title: "Fargo", Kind: TVShow}}},
		// Every locale's title resolves; the en-US one is the display title.
		{"money heist", []Work{{ID: "series-la-casa-de-papel", Title: "Money Heist", Kind: TVShow}}},
		{"la casa de papel", []Work{{ID: "series-la-casa-de-papel", Title: "La casa de papel", Kind: TVShow}}},
		{"palm", nil},
		{"nothing we have", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.phrase, func(t *testing.T) {
			if got := c.FindTitle(tt.phrase); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FindTitle(%q) = %+v, want %+v", tt.phrase, got, tt.want)
			}
		})
	}
}

func TestFindTitleLongestContained(t *testing.T) {
	t.Parallel()
	c := New([]Work{
		{ID: "movie-up", Title: "Up", Kind: Movie},
		{ID: "movie-quiet-place", Title: "A Quiet Place", Kind: Movie},
		{ID: "movie-quiet-place-2", Title: "A Quiet Place Part II", Kind: Movie},
	}, nil)
	tests := map[string]string{
		"a quiet place part ii tonight": "movie-quiet-place-2",
		"a quiet place please":          "movie-quiet-place",
		"up":                            "movie-up",
		"a quiet place up":              "movie-quiet-place",
	}
	for phrase, want := range tests {
		got := c.FindTitle(phrase)
		if len(got) != 1 || got[0].ID != want {
			t.Errorf("FindTitle(%q) = %+v, want %s", phrase, got, want)
		}
	}
}

func TestFindChannel(t *testing.T) {
	t.Parallel()
	c, err := LoadDir(context.Background(), "testdata/feed")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref    string
		wantID string
		number string
	}{
		{"206", "channel-espn", "206"}, // the first lineup gives the number
		{"espn", "channel-espn", "206"},
		{"ESPNHD", "channel-espn", "206"},
		{"cnni", "channel-cnn", "202"},
		{"CNN International", "channel-cnn", "202"},
		{"9", "channel-kqed", "9"},
		{"kqed", "channel-kqed", "9"}, // no title: the call sign names it
		{"570", "", ""},
		{"hbo", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		got, ok := c.FindChannel(tt.ref)
		if ok != (tt.wantID != "") || got.ID != tt.wantID || got.Number != tt.number {
			t.Errorf("FindChannel(%q) = %+v, %v; want %s #%s", tt.ref, got, ok, tt.wantID, tt.number)
		}
	}
}

func TestLoadDirMissingFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir     string
		missing []string
		counts  Counts
	}{
		{t.TempDir(), []string{CatalogFile, ChannelsFile}, Counts{}},
		{"testdata/does-not-exist", []string{CatalogFile, ChannelsFile}, Counts{}},
		{"testdata/worksonly", []string{ChannelsFile}, Counts{Works: 1, Movies: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			c, err := LoadDir(context.Background(), tt.dir)
			if err != nil {
				t.Fatalf("LoadDir: %v", err)
			}
			if !reflect.DeepEqual(c.Missing, tt.missing) {
				t.Errorf("missing = %v, want %v", c.Missing, tt.missing)
			}
			if c.Counts() != tt.counts {
				t.Errorf("counts = %+v, want %+v", c.Counts(), tt.counts)
			}
		})
	}
}

func TestLoadDirInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir  string
		want []string // substrings of the error
	}{
		{"testdata/malformed", []string{"testdata/malformed/catalog.xml", "line 6", "Titel"}},
		{"testdata/notcdf", []string{"not a CDF catalog", "<rss>"}},
		{"testdata/truncated", []string{"testdata/truncated/catalog.xml", "unexpected EOF"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			_, err := LoadDir(context.Background(), tt.dir)
			if err == nil {
				t.Fatal("LoadDir accepted an invalid catalog")
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestReadRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"empty":        "",
		"only prolog":  `<?xml version="1.0"?>`,
		"not xml":      "hello",
		"unclosed tag": `<Catalog><Works><Movie><ID>x</ID>`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Read(context.Background(), strings.NewReader(doc)); err == nil {
				t.Errorf("Read(%q) succeeded", doc)
			}
		})
	}
}

func TestReadCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Read(ctx, strings.NewReader(`<Catalog><Works/></Catalog>`))
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("Read with a cancelled context: %v", err)
	}
}

func TestZeroCatalog(t *testing.T) {
	t.Parallel()
	var c *Catalog
	if c.FindTitle("fargo") != nil || c.Counts() != (Counts{}) {
		t.Error("nil catalog is not empty")
	}
	if _, ok := c.FindChannel("206"); ok {
		t.Error("nil catalog has a channel")
	}
	empty := &Catalog{}
	if empty.FindTitle("fargo") != nil {
		t.Error("zero catalog has a title")
	}
}
