package ember_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"livingroom/internal/ember"
)

func write(t testing.TB, programs []ember.Program, deletes []string) []byte {
	var buf bytes.Buffer
	w, err := ember.NewWriter(&buf, "ProgramCatalog", "p-programs", 7, "upsert")
	if err != nil {
		t.Fatal(err)
	}
	for i := range programs {
		if err := w.Program(&programs[i]); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range deletes {
		if err := w.Delete(d, 7); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteThenRead(t *testing.T) {
	t.Parallel()
	programs := []ember.Program{
		{Kind: ember.Movie, ID: "movie-1", Version: 7, Title: `Tom & "Jerry" <3>`, Language: "en-US", Synopsis: "tab\there",
			ExternalIDs: [][2]string{{"imdb", "tt0000001"}}, Genres: []string{"Comedy"}, ReleaseDate: "2020-01-01", Runtime: 90,
			Cast: []string{"A"}, Directors: []string{"D"}, Rating: [2]string{"MPAA", "PG"}},
		{Kind: ember.TVEpisode, ID: "episode-1", Version: 7, Title: "Pilot\x00", Language: "en-US", SeriesID: "series-1", SeasonID: "season-1", Season: 1, Episode: 1},
	}
	doc := write(t, programs, []string{"movie-gone", `odd"id`})
	if err := xml.Unmarshal(doc, new(struct{})); err != nil {
		t.Fatalf("not XML: %v\n%s", err, doc)
	}
	var got []ember.Item
	var deleted []string
	err := ember.Read(bytes.NewReader(doc), func(it ember.Item) error { got = append(got, it); return nil },
		func(id string) error { deleted = append(deleted, id); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "movie-1" || got[0].Titles[0].Value != `Tom & "Jerry" <3>` || got[1].Kind != ember.TVEpisode ||
		got[1].Titles[0].Value != "Pilot\uFFFD" {
		t.Fatalf("programs %+v", got)
	}
	if strings.Join(deleted, ",") != `movie-gone,odd"id` {
		t.Fatalf("deletes %v", deleted)
	}
}

func TestReadRejects(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{"", "<Catalog/>", "<DataCollections><ProgramCatalog><Movie id='x'>", "<DataCollections>&bogus;</DataCollections>"} {
		err := ember.Read(strings.NewReader(doc), func(ember.Item) error { return nil }, func(string) error { return nil })
		if err == nil {
			t.Errorf("%q accepted", doc)
		}
	}
}

func TestManifestValidate(t *testing.T) {
	t.Parallel()
	good := ember.Manifest{S3Keys: []string{"a"}, Type: ember.CatalogFull, Schema: "EMBER"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, m := range []ember.Manifest{
		{S3Keys: []string{"a"}, Type: "CATALOG_DELTA", Schema: "EMBER"},
		{S3Keys: []string{"a"}, Type: ember.CatalogFull, Schema: "CDF"},
		{Type: ember.CatalogUpdate, Schema: "EMBER"},
	} {
		if m.Validate() == nil {
			t.Errorf("%+v accepted", m)
		}
	}
}

// FuzzRead: any document either reads or fails, never panics; what the
// writer writes always reads back.
func FuzzRead(f *testing.F) {
	f.Add(string(write(f, []ember.Program{{Kind: ember.Movie, ID: "m", Title: "T", Language: "en"}}, []string{"d"})), "title")
	f.Add("<DataCollections><Delete id='x'/></DataCollections>", "x")
	f.Fuzz(func(t *testing.T, doc, text string) {
		_ = ember.Read(strings.NewReader(doc), func(ember.Item) error { return nil }, func(string) error { return nil })
		out := write(t, []ember.Program{{Kind: ember.TVSeries, ID: text, Title: text, Language: "en-US", Synopsis: text}}, []string{text})
		n := 0
		if err := ember.Read(bytes.NewReader(out), func(ember.Item) error { n++; return nil }, func(string) error { n++; return nil }); err != nil || n != 2 {
			t.Fatalf("%q: %v (%d items)", text, err, n)
		}
	})
}
