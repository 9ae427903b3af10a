package ingest

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"livingroom/internal/ember"
)

// The legacy names of the catalog files at the top of a catalog directory,
// also the names Catalog.Missing reports.
const (
	CatalogFile  = "catalog.xml"
	ChannelsFile = "channels.xml"
)

// MaxFiles bounds the pages or EMBER files of one ingestion.
const MaxFiles = 100_000

// LoadDir ingests the catalog published into a directory; see LoadFS.
func LoadDir(ctx context.Context, dir string) (*Catalog, error) {
	return load(ctx, os.DirFS(dir), dir)
}

// LoadFS ingests what the catalog exporter publishes, laid out as in the
// partner's bucket, as Alexa would:
//
//   - works from the newest CDF page manifest (manifests/*.manifest, one
//     page of pages/ a line), else from catalogs/catalog.xml, else from
//     catalog.xml at the top (the older layout), else from the EMBER
//     manifests (ember/manifests/*.json): the newest CATALOG_FULL and the
//     CATALOG_UPDATEs after it, in order, deletes applied;
//   - live channels from catalogs/channels.xml, else channels.xml.
//
// Any file may be gzipped (.gz). A missing catalog is not an error: Alexa
// serves whatever it last ingested (here: nothing) and Missing says so.
func LoadFS(ctx context.Context, fsys fs.FS) (*Catalog, error) { return load(ctx, fsys, "") }

// load is LoadFS; errors name files under root.
func load(ctx context.Context, fsys fs.FS, root string) (*Catalog, error) {
	b := newBuilder()
	b.root = root
	found, err := loadWorks(ctx, fsys, b)
	if err != nil {
		return nil, err
	}
	if !found {
		b.missing = append(b.missing, CatalogFile)
	}
	name, ok := first(fsys, "catalogs/"+ChannelsFile, ChannelsFile)
	if !ok {
		b.missing = append(b.missing, ChannelsFile)
	} else if err := readCDF(ctx, fsys, name, b); err != nil {
		return nil, err
	}
	return b.finish()
}

func loadWorks(ctx context.Context, fsys fs.FS, b *builder) (bool, error) {
	if manifest := newest(fsys, "manifests/*.manifest"); manifest != "" {
		b.opened(manifest)
		pages, err := readManifest(fsys, manifest)
		if err != nil {
			return false, err
		}
		for _, p := range pages {
			if err := readCDF(ctx, fsys, "pages/"+p, b); err != nil {
				return false, err
			}
		}
		return true, nil
	}
	if name, ok := first(fsys, "catalogs/"+CatalogFile, CatalogFile); ok {
		return true, readCDF(ctx, fsys, name, b)
	}
	return loadEmber(ctx, fsys, b)
}

// first returns the first of the names (or its .gz) that exists.
func first(fsys fs.FS, names ...string) (string, bool) {
	for _, n := range names {
		for _, candidate := range []string{n, n + ".gz"} {
			if _, err := fs.Stat(fsys, candidate); err == nil {
				return candidate, true
			}
		}
	}
	return "", false
}

// newest returns the last match in name order (names carry a UTC stamp).
func newest(fsys fs.FS, pattern string) string {
	matches, _ := fs.Glob(fsys, pattern)
	if len(matches) == 0 {
		return ""
	}
	sort.Strings(matches)
	return matches[len(matches)-1]
}

func readManifest(fsys fs.FS, name string) ([]string, error) {
	b, err := readSmall(fsys, name)
	if err != nil {
		return nil, err
	}
	var pages []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if strings.Contains(l, "/") || strings.Contains(l, "..") {
			return nil, fmt.Errorf("manifest %s: page name %q is not a file name", name, l)
		}
		pages = append(pages, l)
	}
	if len(pages) > MaxFiles {
		return nil, fmt.Errorf("manifest %s: %d pages, at most %d", name, len(pages), MaxFiles)
	}
	return pages, nil
}

// readSmall reads a manifest, bounded in size.
func readSmall(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 16<<20+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > 16<<20 {
		return nil, fmt.Errorf("read %s: larger than 16 MiB", name)
	}
	return b, nil
}

// open opens a file, decompressing a .gz one.
func open(fsys fs.FS, name string) (io.ReadCloser, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open catalog file: %w", err)
	}
	if !strings.HasSuffix(name, ".gz") {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

func readCDF(ctx context.Context, fsys fs.FS, name string, b *builder) error {
	b.opened(name)
	f, err := open(fsys, name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := b.read(ctx, f); err != nil {
		return fmt.Errorf("read %s: %w", path.Join(b.root, name), err)
	}
	return nil
}

// loadEmber applies the EMBER manifests from the newest full catalog on.
func loadEmber(ctx context.Context, fsys fs.FS, b *builder) (bool, error) {
	names, _ := fs.Glob(fsys, "ember/manifests/*.json")
	sort.Strings(names)
	var manifests []ember.Manifest
	for _, n := range names {
		raw, err := readSmall(fsys, n)
		if err != nil {
			return false, err
		}
		b.opened(n)
		var m ember.Manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			return false, fmt.Errorf("ember manifest %s: %w", n, err)
		}
		if err := m.Validate(); err != nil {
			return false, fmt.Errorf("%s: %w", n, err)
		}
		manifests = append(manifests, m)
	}
	start := -1
	for i, m := range manifests {
		if m.Type == ember.CatalogFull {
			start = i
		}
	}
	if start < 0 {
		return false, nil
	}
	type program struct {
		kind   string
		titles []ember.Title
	}
	programs := map[string]program{}
	for _, m := range manifests[start:] {
		for _, key := range m.S3Keys {
			key = keyInFS(fsys, key)
			b.opened(key)
			f, err := open(fsys, key)
			if err != nil {
				return false, err
			}
			err = ember.Read(f, func(it ember.Item) error {
				if len(programs) >= maxPrograms {
					return fmt.Errorf("more than %d programs", maxPrograms)
				}
				programs[it.ID] = program{kind: it.Kind, titles: it.Titles}
				return ctx.Err()
			}, func(id string) error {
				delete(programs, id)
				return nil
			})
			f.Close()
			if err != nil {
				return false, fmt.Errorf("read %s: %w", key, err)
			}
		}
	}
	b.file = "" // the programs below come from any of the files
	for _, id := range slices.Sorted(mapsKeys(programs)) {
		p := programs[id]
		b.counts.Works++
		kind := Kind("")
		switch p.kind {
		case ember.Movie:
			b.counts.Movies++
			kind = Movie
		case ember.TVSeries:
			b.counts.Shows++
			kind = TVShow
		case ember.TVSeason:
			b.counts.Seasons++
		case ember.TVEpisode:
			b.counts.Episodes++
		}
		parts := []string{p.kind}
		for _, t := range p.titles {
			parts = append(parts, t.Language, strconv.FormatBool(t.Default), t.Value)
		}
		b.works[id] = workMeta{hash: hashOf(parts...)}
		added := false
		for _, t := range p.titles {
			if t.Value = strings.TrimSpace(t.Value); t.Value != "" {
				if kind != "" {
					b.addWork(Work{ID: id, Title: t.Value, Kind: kind})
				}
				added = true
			}
		}
		if !added {
			b.fail(Issue{WorkID: id, Type: p.kind, Message: "Title is required and cannot be blank"})
		}
	}
	return true, nil
}

// maxPrograms bounds the programs kept from EMBER files.
const maxPrograms = 10_000_000

// keyInFS maps a manifest's S3 key to a name in fsys: keys are relative to
// the bucket, and fsys may be rooted at a prefix of it.
func keyInFS(fsys fs.FS, key string) string {
	key = strings.TrimPrefix(path.Clean("/"+key), "/")
	for k := key; k != ""; {
		if _, err := fs.Stat(fsys, k); err == nil {
			return k
		}
		i := strings.Index(k, "/")
		if i < 0 {
			break
		}
		k = k[i+1:]
	}
	return key
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
