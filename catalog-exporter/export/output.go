package export

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/cespare/xxhash/v2"

	"livingroom/internal/cdf"
	"livingroom/internal/ember"
)

// Sink is where catalogs are published: a directory or an S3 bucket.
// Keys use Amazon's bucket layout: catalogs/, pages/, manifests/, and
// ember/catalogs/, ember/manifests/ for EMBER.
type Sink interface {
	// Create starts an object; nothing is visible under key before Commit.
	Create(ctx context.Context, key string) (Object, error)
	// Location is the key as a reader of the sink names it (with any
	// prefix); EMBER manifests list these.
	Location(key string) string
	// Bucket names the S3 bucket for EMBER manifests; "" for a directory.
	Bucket() string
}

// Object is one file being written.
type Object interface {
	io.Writer
	// Commit makes the whole object visible at once.
	Commit() error
	// Abort drops it; after Commit it does nothing.
	Abort()
}

// File is one published file.
type File struct {
	Key   string `json:"key"`
	Bytes int64  `json:"bytes"`
}

// Keys of the files, as laid out in Amazon's bucket.
const (
	CatalogKey  = "catalogs/catalog.xml"
	ChannelsKey = "catalogs/channels.xml"
	PagesDir    = "pages/"
	ManifestDir = "manifests/"
	EmberDir    = "ember/catalogs/"
	EmberManDir = "ember/manifests/"
)

// object is an Object with optional gzip and a byte count.
type object struct {
	key   string
	obj   Object
	gz    *gzip.Writer
	w     io.Writer
	bytes int64 // bytes handed to the sink (compressed)
	done  bool
}

func createObject(ctx context.Context, sink Sink, key string, compress bool) (*object, error) {
	if compress {
		key += ".gz"
	}
	obj, err := sink.Create(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", key, err)
	}
	o := &object{key: key, obj: obj}
	o.w = writerFunc(func(p []byte) (int, error) {
		n, err := obj.Write(p)
		o.bytes += int64(n)
		return n, err
	})
	if compress {
		// BestSpeed: the files are large and rewritten often; the gain of
		// higher levels on XML is small.
		o.gz, _ = gzip.NewWriterLevel(o.w, gzip.BestSpeed)
		o.w = o.gz
	}
	return o, nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (o *object) Write(p []byte) (int, error) { return o.w.Write(p) }

func (o *object) commit() (File, error) {
	if o.gz != nil {
		if err := o.gz.Close(); err != nil {
			o.abort()
			return File{}, fmt.Errorf("write %s: %w", o.key, err)
		}
	}
	if err := o.obj.Commit(); err != nil {
		o.abort()
		return File{}, fmt.Errorf("publish %s: %w", o.key, err)
	}
	o.done = true
	return File{Key: o.key, Bytes: o.bytes}, nil
}

func (o *object) abort() {
	if !o.done {
		o.obj.Abort()
		o.done = true
	}
}

// cdfWorks writes the works either as one catalog file or as pages.
type cdfWorks struct {
	ctx      context.Context
	sink     Sink
	partner  string
	compress bool

	single *object
	cw     *cdf.Writer

	// Pages (PageSize > 0): works are collected until a page boundary, the
	// page is named after the hashes of its works, and written only when
	// the last export did not already publish a page of that name.
	pageSize  int
	page      []byte
	pageWorks int
	digest    *xxhash.Digest
	previous  map[string]bool // page names of the last manifest
	pages     []string        // page names of this export, in order
	written   []File          // pages written by this export
	reused    int
}

func newCDFWorks(ctx context.Context, sink Sink, partner string, compress bool, pageSize int, previous []string) (*cdfWorks, error) {
	c := &cdfWorks{ctx: ctx, sink: sink, partner: partner, compress: compress, pageSize: pageSize, digest: xxhash.New(), previous: map[string]bool{}}
	for _, p := range previous {
		c.previous[p] = true
	}
	if pageSize > 0 {
		return c, nil
	}
	o, err := createObject(ctx, sink, CatalogKey, compress)
	if err != nil {
		return nil, err
	}
	if c.cw, err = cdf.NewWriter(o, partner); err != nil {
		o.abort()
		return nil, fmt.Errorf("write %s: %w", o.key, err)
	}
	c.single = o
	return c, nil
}

// boundary tells whether a page ends after the work with this id. Pages
// end where the hash of an id says so (content-defined, so that adding or
// removing a work moves no boundary but its own), between a quarter and
// four times the page size.
func (c *cdfWorks) boundary(id string) bool {
	switch {
	case c.pageWorks < c.pageSize/4:
		return false
	case c.pageWorks >= 4*c.pageSize:
		return true
	}
	return xxhash.Sum64String(id)%uint64(c.pageSize) == 0
}

func (c *cdfWorks) work(id string, encoded []byte, hash uint64) error {
	if c.cw != nil {
		return c.cw.Encoded(encoded)
	}
	c.page = append(c.page, encoded...)
	c.pageWorks++
	var h [8]byte
	for i := range h {
		h[i] = byte(hash >> (8 * i))
	}
	c.digest.Write(h[:])
	if c.boundary(id) {
		return c.flushPage()
	}
	return nil
}

func (c *cdfWorks) flushPage() error {
	if c.pageWorks == 0 {
		return nil
	}
	name := slug(c.partner) + "-" + hex.EncodeToString(c.digest.Sum(nil)) + ".xml"
	if c.compress {
		name += ".gz"
	}
	c.pages = append(c.pages, name)
	if c.previous[name] {
		c.reused++
	} else {
		o, err := createObject(c.ctx, c.sink, PagesDir+strings.TrimSuffix(name, ".gz"), c.compress)
		if err != nil {
			return err
		}
		w, err := cdf.NewWriter(o, c.partner)
		if err == nil {
			err = w.Encoded(c.page)
		}
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			o.abort()
			return fmt.Errorf("write page %s: %w", name, err)
		}
		f, err := o.commit()
		if err != nil {
			return err
		}
		c.written = append(c.written, f)
	}
	c.page, c.pageWorks = c.page[:0], 0
	c.digest.Reset()
	return nil
}

// finish completes the last page or the catalog document.
func (c *cdfWorks) finish() error {
	if c.cw != nil {
		if err := c.cw.Close(); err != nil {
			return fmt.Errorf("write %s: %w", c.single.key, err)
		}
		return nil
	}
	return c.flushPage()
}

// publish commits the catalog, or writes the manifest of the pages.
func (c *cdfWorks) publish(stamp string) ([]File, error) {
	if c.single != nil {
		f, err := c.single.commit()
		return []File{f}, err
	}
	o, err := createObject(c.ctx, c.sink, ManifestDir+slug(c.partner)+"-"+stamp+".manifest", false)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(o, strings.Join(c.pages, "\n")+"\n"); err != nil {
		o.abort()
		return nil, fmt.Errorf("write %s: %w", o.key, err)
	}
	f, err := o.commit()
	return append(c.written, f), err
}

func (c *cdfWorks) abort() {
	if c.single != nil {
		c.single.abort()
	}
}

// emberFiles writes EMBER programs and offers side by side, one pair of
// files per filesize works, and the deletes of an update in a file of
// their own.
type emberFiles struct {
	ctx      context.Context
	sink     Sink
	compress bool
	base     string // key prefix: ember/catalogs/<partner>-<stamp>
	catalog  string // catalog id prefix
	version  int64
	action   string
	perFile  int

	n        int // files pairs so far
	inFile   int
	programs *object
	offers   *object
	pw, ow   *ember.Writer
	files    []File
	buf      []byte
}

func (e *emberFiles) open() error {
	e.n++
	var err error
	name := fmt.Sprintf("%s-%04d", e.base, e.n)
	if e.programs, err = createObject(e.ctx, e.sink, name+"-programs.xml", e.compress); err != nil {
		return err
	}
	if e.offers, err = createObject(e.ctx, e.sink, name+"-offers.xml", e.compress); err != nil {
		return err
	}
	if e.pw, err = ember.NewWriter(e.programs, "ProgramCatalog", e.catalog+"-programs", e.version, e.action); err != nil {
		return err
	}
	e.ow, err = ember.NewWriter(e.offers, "OfferCatalog", e.catalog+"-offers", e.version, e.action)
	return err
}

func (e *emberFiles) closeFiles() error {
	if e.pw == nil {
		return nil
	}
	for _, x := range []struct {
		w *ember.Writer
		o *object
	}{{e.pw, e.programs}, {e.ow, e.offers}} {
		if err := x.w.Close(); err != nil {
			return err
		}
		f, err := x.o.commit()
		if err != nil {
			return err
		}
		e.files = append(e.files, f)
	}
	e.pw, e.ow, e.inFile = nil, nil, 0
	return nil
}

func (e *emberFiles) add(p *ember.Program, offers []ember.Offer) error {
	if e.pw == nil {
		if err := e.open(); err != nil {
			return err
		}
	}
	if err := e.pw.Program(p); err != nil {
		return err
	}
	if err := e.ow.Offers(p.ID, offers); err != nil {
		return err
	}
	if e.inFile++; e.perFile > 0 && e.inFile >= e.perFile {
		return e.closeFiles()
	}
	return nil
}

// finish closes the open files and writes the deletes.
func (e *emberFiles) finish(deletes []string) error {
	if err := e.closeFiles(); err != nil {
		return err
	}
	if len(deletes) == 0 {
		return nil
	}
	o, err := createObject(e.ctx, e.sink, e.base+"-deletes.xml", e.compress)
	if err != nil {
		return err
	}
	w, err := ember.NewWriter(o, "", "", 0, "")
	for _, id := range deletes {
		if err == nil {
			err = w.Delete(id, e.version)
		}
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		o.abort()
		return fmt.Errorf("write %s: %w", o.key, err)
	}
	f, err := o.commit()
	e.files = append(e.files, f)
	return err
}

// publish writes the manifest that makes Amazon ingest the files.
func (e *emberFiles) publish(stamp, kind, partner string) ([]File, error) {
	m := ember.Manifest{S3Bucket: e.sink.Bucket(), Type: kind, Schema: "EMBER"}
	for _, f := range e.files {
		m.S3Keys = append(m.S3Keys, e.sink.Location(f.Key))
	}
	if len(m.S3Keys) == 0 {
		return nil, nil // an update with no change
	}
	o, err := createObject(e.ctx, e.sink, EmberManDir+slug(partner)+"-"+stamp+".json", false)
	if err != nil {
		return nil, err
	}
	if err := ember.EncodeManifest(o, m); err != nil {
		o.abort()
		return nil, fmt.Errorf("write %s: %w", o.key, err)
	}
	f, err := o.commit()
	return append(e.files, f), err
}

func (e *emberFiles) abort() {
	for _, o := range []*object{e.programs, e.offers} {
		if o != nil {
			o.abort()
		}
	}
}
