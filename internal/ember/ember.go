// Package ember writes Amazon's EMBER 1.0 catalog files (Enhanced Metadata
// Bridge for Entertainment Resources, the successor of CDF) and the JSON
// manifest that triggers their ingestion, and reads them back (alexa-sim).
//
// What is documented and followed here: the root <DataCollections
// schemaVersion="1.0.0">; catalogs (ProgramCatalog, OfferCatalog) with id,
// a monotonically increasing version and an action (upsert or replace);
// programs Movie, TVSeries, TVSeason, TVEpisode with the id and version as
// attributes; ExternalIds/ExternalId scheme=, Titles/Title language=
// default=, Synopses, Images, Genres, ReleaseDates/ReleaseDate
// releaseType=; offers kept apart in OfferCatalog/ProgramOffers
// programRef=/ProgramOffer/Entitlements/Entitlement type=; <Delete id=
// version=> for removals in a CATALOG_UPDATE; the manifest {"s3Bucket",
// "s3Keys", "type": CATALOG_FULL|CATALOG_UPDATE, "schema": "EMBER"}.
// The elements that link episodes to seasons and series (SeriesRef,
// SeasonRef, SeasonNumber, EpisodeNumber), Runtime, Credits, Regions and
// Window are this package's reading of the EMBER-CDF mapping and must be
// checked against Amazon's XSD when the partner is on-boarded.
package ember

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// SchemaVersion is the EMBER version written.
const SchemaVersion = "1.0.0"

// Manifest types.
const (
	CatalogFull   = "CATALOG_FULL"
	CatalogUpdate = "CATALOG_UPDATE"
)

// Manifest is the JSON file that makes Amazon ingest catalog files.
type Manifest struct {
	S3Bucket string   `json:"s3Bucket"`
	S3Keys   []string `json:"s3Keys"`
	Type     string   `json:"type"`
	Schema   string   `json:"schema"`
}

// Validate checks a manifest read from outside.
func (m Manifest) Validate() error {
	switch {
	case m.Schema != "EMBER":
		return fmt.Errorf("ember manifest: schema %q, want EMBER", m.Schema)
	case m.Type != CatalogFull && m.Type != CatalogUpdate:
		return fmt.Errorf("ember manifest: type %q, want %s or %s", m.Type, CatalogFull, CatalogUpdate)
	case len(m.S3Keys) == 0:
		return errors.New("ember manifest: no s3Keys")
	case len(m.S3Keys) > MaxManifestKeys:
		return fmt.Errorf("ember manifest: %d s3Keys, at most %d", len(m.S3Keys), MaxManifestKeys)
	}
	return nil
}

// MaxManifestKeys bounds the files of one manifest.
const MaxManifestKeys = 100_000

// EncodeManifest writes m as indented JSON.
func EncodeManifest(w io.Writer, m Manifest) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// Kind of a program element.
const (
	Movie     = "Movie"
	TVSeries  = "TVSeries"
	TVSeason  = "TVSeason"
	TVEpisode = "TVEpisode"
)

// Program is one program of the ProgramCatalog.
type Program struct {
	Kind        string // Movie, TVSeries, TVSeason, TVEpisode
	ID          string
	Version     int64
	ExternalIDs [][2]string // scheme, id
	Title       string
	Language    string // e.g. en-US
	Synopsis    string
	ImageURL    string
	Genres      []string
	ReleaseDate string // YYYY-MM-DD
	ReleaseYear int
	Runtime     int // minutes
	Cast        []string
	Directors   []string
	Rating      [2]string // system, certification
	SeriesID    string    // seasons and episodes
	SeasonID    string    // episodes
	Season      int
	Episode     int
}

// Offer is one offer of a program in the OfferCatalog.
type Offer struct {
	ProgramID   string
	Version     int64
	Entitlement string // subscription, free
	Regions     []string
	Start, End  string // xsd:dateTime, optional
}

// Writer streams one EMBER document holding one catalog (programs or
// offers) and then deletes. Catalogs are written one per file so that
// programs and offers can be streamed side by side.
type Writer struct {
	w       io.Writer
	buf     []byte
	catalog string // element name of the open catalog; "" once closed
	err     error
}

const flushAt = 64 << 10

// NewWriter opens <DataCollections> and the catalog element (ProgramCatalog
// or OfferCatalog) with its id, version and action (upsert, replace).
func NewWriter(w io.Writer, catalog, id string, version int64, action string) (*Writer, error) {
	if catalog != "ProgramCatalog" && catalog != "OfferCatalog" && catalog != "" {
		return nil, fmt.Errorf("ember: unknown catalog %q", catalog)
	}
	ew := &Writer{w: w, catalog: catalog}
	ew.buf = append(ew.buf, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<DataCollections schemaVersion="`+SchemaVersion+`">`...)
	if catalog != "" {
		ew.buf = append(ew.buf, "\n  <"+catalog+` id="`...)
		ew.buf = esc(ew.buf, id)
		ew.buf = append(ew.buf, `" version="`...)
		ew.buf = strconv.AppendInt(ew.buf, version, 10)
		ew.buf = append(ew.buf, `" action="`...)
		ew.buf = esc(ew.buf, action)
		ew.buf = append(ew.buf, `">`...)
	}
	return ew, ew.flush()
}

// Program writes one program.
func (w *Writer) Program(p *Program) error {
	if w.catalog != "ProgramCatalog" {
		return errors.New("ember: program outside a ProgramCatalog")
	}
	w.buf = AppendProgram(w.buf, p)
	return w.maybeFlush()
}

// Offer writes one program's offers.
func (w *Writer) Offers(programID string, offers []Offer) error {
	if w.catalog != "OfferCatalog" {
		return errors.New("ember: offer outside an OfferCatalog")
	}
	w.buf = AppendOffers(w.buf, programID, offers)
	return w.maybeFlush()
}

// Delete closes the catalog, if one is open, and writes a deletion.
func (w *Writer) Delete(id string, version int64) error {
	w.closeCatalog()
	w.buf = append(w.buf, "\n  <Delete id=\""...)
	w.buf = esc(w.buf, id)
	w.buf = append(w.buf, `" version="`...)
	w.buf = strconv.AppendInt(w.buf, version, 10)
	w.buf = append(w.buf, `"/>`...)
	return w.maybeFlush()
}

func (w *Writer) closeCatalog() {
	if w.catalog != "" {
		w.buf = append(w.buf, "\n  </"+w.catalog+">"...)
		w.catalog = ""
	}
}

// Close ends the document and flushes; it does not close the underlying
// writer.
func (w *Writer) Close() error {
	w.closeCatalog()
	w.buf = append(w.buf, "\n</DataCollections>\n"...)
	return w.flush()
}

func (w *Writer) maybeFlush() error {
	if len(w.buf) < flushAt {
		return w.err
	}
	return w.flush()
}

func (w *Writer) flush() error {
	if w.err != nil {
		return w.err
	}
	if _, err := w.w.Write(w.buf); err != nil {
		w.err = fmt.Errorf("write ember: %w", err)
		return w.err
	}
	w.buf = w.buf[:0]
	return nil
}

// AppendProgram appends one program element (indented for a catalog).
func AppendProgram(dst []byte, p *Program) []byte {
	dst = append(dst, "\n    <"...)
	dst = append(dst, p.Kind...)
	dst = append(dst, ` id="`...)
	dst = esc(dst, p.ID)
	dst = append(dst, `" version="`...)
	dst = strconv.AppendInt(dst, p.Version, 10)
	dst = append(dst, `">`...)
	const d = "\n      "
	if len(p.ExternalIDs) > 0 {
		dst = append(dst, d+"<ExternalIds>"...)
		for _, x := range p.ExternalIDs {
			dst = append(dst, d+`  <ExternalId scheme="`...)
			dst = esc(dst, x[0])
			dst = append(dst, `">`...)
			dst = esc(dst, x[1])
			dst = append(dst, "</ExternalId>"...)
		}
		dst = append(dst, d+"</ExternalIds>"...)
	}
	dst = append(dst, d+`<Titles>`+d+`  <Title language="`...)
	dst = esc(dst, p.Language)
	dst = append(dst, `" default="true">`...)
	dst = esc(dst, p.Title)
	dst = append(dst, "</Title>"+d+"</Titles>"...)
	if p.Synopsis != "" {
		dst = append(dst, d+`<Synopses>`+d+`  <Synopsis language="`...)
		dst = esc(dst, p.Language)
		dst = append(dst, `">`...)
		dst = esc(dst, p.Synopsis)
		dst = append(dst, "</Synopsis>"+d+"</Synopses>"...)
	}
	if p.ImageURL != "" {
		dst = append(dst, d+"<Images>"+d+"  <Image><Url>"...)
		dst = esc(dst, p.ImageURL)
		dst = append(dst, "</Url></Image>"+d+"</Images>"...)
	}
	if len(p.Genres) > 0 {
		dst = append(dst, d+"<Genres>"...)
		for _, g := range p.Genres {
			dst = append(dst, d+"  <Genre>"...)
			dst = esc(dst, g)
			dst = append(dst, "</Genre>"...)
		}
		dst = append(dst, d+"</Genres>"...)
	}
	if p.ReleaseDate != "" {
		dst = append(dst, d+`<ReleaseDates>`+d+`  <ReleaseDate releaseType="original">`...)
		dst = esc(dst, p.ReleaseDate)
		dst = append(dst, "</ReleaseDate>"+d+"</ReleaseDates>"...)
	}
	if p.ReleaseYear != 0 {
		dst = append(dst, d+"<ReleaseYear>"...)
		dst = strconv.AppendInt(dst, int64(p.ReleaseYear), 10)
		dst = append(dst, "</ReleaseYear>"...)
	}
	if p.Runtime != 0 {
		dst = append(dst, d+"<Runtime>PT"...)
		dst = strconv.AppendInt(dst, int64(p.Runtime), 10)
		dst = append(dst, "M</Runtime>"...)
	}
	if len(p.Cast)+len(p.Directors) > 0 {
		dst = append(dst, d+"<Credits>"...)
		for _, c := range p.Cast {
			dst = append(dst, d+`  <Credit role="Actor">`...)
			dst = esc(dst, c)
			dst = append(dst, "</Credit>"...)
		}
		for _, c := range p.Directors {
			dst = append(dst, d+`  <Credit role="Director">`...)
			dst = esc(dst, c)
			dst = append(dst, "</Credit>"...)
		}
		dst = append(dst, d+"</Credits>"...)
	}
	if p.Rating[1] != "" {
		dst = append(dst, d+`<ContentRatings>`+d+`  <ContentRating system="`...)
		dst = esc(dst, p.Rating[0])
		dst = append(dst, `">`...)
		dst = esc(dst, p.Rating[1])
		dst = append(dst, "</ContentRating>"+d+"</ContentRatings>"...)
	}
	if p.SeriesID != "" {
		dst = append(dst, d+`<SeriesRef id="`...)
		dst = esc(dst, p.SeriesID)
		dst = append(dst, `"/>`...)
	}
	if p.SeasonID != "" {
		dst = append(dst, d+`<SeasonRef id="`...)
		dst = esc(dst, p.SeasonID)
		dst = append(dst, `"/>`...)
	}
	if p.Season != 0 {
		dst = append(dst, d+"<SeasonNumber>"...)
		dst = strconv.AppendInt(dst, int64(p.Season), 10)
		dst = append(dst, "</SeasonNumber>"...)
	}
	if p.Episode != 0 {
		dst = append(dst, d+"<EpisodeNumber>"...)
		dst = strconv.AppendInt(dst, int64(p.Episode), 10)
		dst = append(dst, "</EpisodeNumber>"...)
	}
	dst = append(dst, "\n    </"...)
	dst = append(dst, p.Kind...)
	return append(dst, '>')
}

// AppendOffers appends the ProgramOffers of one program.
func AppendOffers(dst []byte, programID string, offers []Offer) []byte {
	dst = append(dst, "\n    <ProgramOffers programRef=\""...)
	dst = esc(dst, programID)
	dst = append(dst, `">`...)
	const d = "\n      "
	for _, o := range offers {
		dst = append(dst, d+`<ProgramOffer version="`...)
		dst = strconv.AppendInt(dst, o.Version, 10)
		dst = append(dst, `">`+d+`  <Entitlements><Entitlement type="`...)
		dst = esc(dst, o.Entitlement)
		dst = append(dst, `"/></Entitlements>`...)
		dst = append(dst, d+"  <Regions>"...)
		for _, r := range o.Regions {
			dst = append(dst, "<Region>"...)
			dst = esc(dst, r)
			dst = append(dst, "</Region>"...)
		}
		dst = append(dst, "</Regions>"...)
		if o.Start != "" || o.End != "" {
			dst = append(dst, d+"  <Window"...)
			if o.Start != "" {
				dst = append(dst, ` start="`...)
				dst = esc(dst, o.Start)
				dst = append(dst, '"')
			}
			if o.End != "" {
				dst = append(dst, ` end="`...)
				dst = esc(dst, o.End)
				dst = append(dst, '"')
			}
			dst = append(dst, "/>"...)
		}
		dst = append(dst, d+"</ProgramOffer>"...)
	}
	return append(dst, "\n    </ProgramOffers>"...)
}

// esc escapes text and attribute values: the five markup characters, and
// line breaks and tabs so that attribute values survive normalisation.
// Characters XML cannot hold become U+FFFD.
func esc(dst []byte, s string) []byte {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '&' && s[i] != '<' && s[i] != '>' && s[i] != '"' && s[i] != '\'' {
		i++
	}
	dst = append(dst, s[:i]...)
	for _, r := range s[i:] {
		switch r {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '"':
			dst = append(dst, "&#34;"...)
		case '\'':
			dst = append(dst, "&#39;"...)
		case '\t':
			dst = append(dst, "&#x9;"...)
		case '\n':
			dst = append(dst, "&#xA;"...)
		case '\r':
			dst = append(dst, "&#xD;"...)
		default:
			if r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
				r = '\uFFFD'
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}
