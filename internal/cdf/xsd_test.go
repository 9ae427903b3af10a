package cdf_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"livingroom/internal/cdf/cdftest"
)

// What the Writer writes is valid against the XSD, and the XSD is strict
// enough to catch the mistakes that make Amazon reject a file.
func TestWriterOutputValidatesAgainstXSD(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.xml")
	doc := writeAll(t)
	if err := os.WriteFile(good, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	cdftest.Validate(t, good)

	tests := []struct {
		name string
		edit func(string) string
	}{
		{"element out of order", func(s string) string {
			s = strings.Replace(s, "<ReleaseYear>2017</ReleaseYear>", "", 1)
			return strings.Replace(s, "</Synopsis>", "</Synopsis><ReleaseYear>2017</ReleaseYear>", 1)
		}},
		{"title before external id", func(s string) string {
			i := strings.Index(s, "<ExternalID")
			j := strings.Index(s[i:], "\n") + i
			ext := s[i:j]
			s = s[:i] + s[j:]
			k := strings.Index(s, "</Title>") + len("</Title>")
			return s[:k] + ext + s[k:]
		}},
		{"blank title", func(s string) string { return strings.Replace(s, ">Film</Title>", ">  </Title>", 1) }},
		{"duplicate id", func(s string) string { return strings.Replace(s, "<ID>series-1</ID>", "<ID>movie-1</ID>", 1) }},
		{"unknown scheme", func(s string) string { return strings.Replace(s, `scheme="imdb"`, `scheme="netflix"`, 1) }},
		{"date without time", func(s string) string {
			return strings.Replace(s, "<ReleaseDate>2020-07-10T00:00:00</ReleaseDate>", "<ReleaseDate>2020-07-10</ReleaseDate>", 1)
		}},
		{"runtime out of range", func(s string) string { return strings.Replace(s, "<RuntimeMinutes>57<", "<RuntimeMinutes>3000<", 1) }},
		{"episode without season id", func(s string) string { return strings.Replace(s, "<SeasonID>season-1-1</SeasonID>", "", 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bad := tt.edit(string(doc))
			if bad == string(doc) {
				t.Fatal("edit changed nothing")
			}
			path := filepath.Join(t.TempDir(), "bad.xml")
			if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
				t.Fatal(err)
			}
			cdftest.Invalid(t, path)
		})
	}
}
