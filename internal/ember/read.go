package ember

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Item is what a reader of an EMBER file learns about one program: enough
// to resolve it by title.
type Item struct {
	Kind   string // Movie, TVSeries, TVSeason, TVEpisode, or another program kind
	ID     string
	Titles []Title
}

// Title is one title of a program.
type Title struct {
	Language string `xml:"language,attr"`
	Default  bool   `xml:"default,attr"`
	Value    string `xml:",chardata"`
}

// MaxTitles bounds the titles kept of one program.
const MaxTitles = 64

// Read streams an EMBER document, calling program for every program of
// its ProgramCatalogs and del for every Delete. Offers and other catalogs
// are passed over. One program is in memory at a time.
func Read(r io.Reader, program func(Item) error, del func(id string) error) error {
	d := xml.NewDecoder(r)
	var path []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if len(path) == 0 {
				return errors.New("ember: no DataCollections element")
			}
			return fmt.Errorf("ember: unexpected end inside <%s>", path[len(path)-1])
		}
		if err != nil {
			return fmt.Errorf("ember: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			switch {
			case len(path) == 0 && name != "DataCollections":
				return fmt.Errorf("ember: root element <%s>, want <DataCollections>", name)
			case len(path) == 1 && name == "Delete":
				if err := del(attr(t, "id")); err != nil {
					return err
				}
				if err := d.Skip(); err != nil {
					return fmt.Errorf("ember: %w", err)
				}
				continue
			case len(path) == 1 && name != "ProgramCatalog":
				if err := d.Skip(); err != nil {
					return fmt.Errorf("ember: %w", err)
				}
				continue
			case len(path) == 2:
				var p struct {
					Titles []Title `xml:"Titles>Title"`
				}
				if err := d.DecodeElement(&p, &t); err != nil {
					return fmt.Errorf("ember: %s %s: %w", name, attr(t, "id"), err)
				}
				if len(p.Titles) > MaxTitles {
					p.Titles = p.Titles[:MaxTitles]
				}
				if err := program(Item{Kind: name, ID: attr(t, "id"), Titles: p.Titles}); err != nil {
					return err
				}
				continue
			}
			path = append(path, name)
		case xml.EndElement:
			path = path[:len(path)-1]
			if len(path) == 0 {
				return nil
			}
		}
	}
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
