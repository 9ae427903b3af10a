// Package export turns the partner's metadata into Amazon's catalog files
// (CDF v1.3: the works in catalog.xml, the live channels in channels.xml,
// since Amazon takes linear data as a separate catalog) and fills the
// catalog index the skill resolves entities with.
//
// CDF is a full snapshot: Amazon deletes whatever a new upload leaves out.
// So by default a source with any invalid record produces no files at all;
// SkipInvalid writes the valid rest. Files are written to temporary names
// and renamed into place only when complete.
//
// The source is streamed: one record is in memory at a time, plus a Bloom
// filter of the ids (12 bits an id, to find duplicates) and the series and
// seasons (to check that episodes point at them). A first pass reads only
// the ids; the file pass and the index pass read the records.
package export

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
	"livingroom/internal/cdf"
)

// The files written into the output directory (alexa-sim reads the same).
const (
	CatalogFile  = "catalog.xml"
	ChannelsFile = "channels.xml"
)

// ErrRejected means the source had invalid records and, without
// SkipInvalid, nothing was written.
var ErrRejected = errors.New("catalog rejected")

// Exporter exports one source. The zero value works, with the defaults
// documented on each field.
type Exporter struct {
	Partner     string   // CDF Partner; default "Living Room"
	Locale      string   // locale of titles and texts; default "en-US"
	Regions     []string // countries of the subscription offer; default US
	SkipInvalid bool     // write the valid records when some are invalid

	// Index, when set, is filled after the files are in place, from a
	// second read of the source, with the same records as the files.
	Index      catalog.IndexWriter
	IndexBatch int // works per PutWorks call; default 100

	// Report receives every rejected record, one error per problem, each
	// naming the line, the record id and the field. Nil discards them.
	Report func(error)
	Now    func() time.Time // default time.Now
}

// Summary says what an export did.
type Summary struct {
	Works           map[catalog.Kind]int // works written, by kind
	Channels        int                  // channels written
	Invalid         int                  // records rejected (skipped with SkipInvalid)
	Files           []File               // files written
	IndexedWorks    int
	IndexedChannels int
	Duration        time.Duration
}

// File is one file written.
type File struct {
	Path  string
	Bytes int64
}

// Export reads the source from open and writes CatalogFile and
// ChannelsFile into dir (created if missing), then the index if set. When
// the source has invalid records and SkipInvalid is off it writes nothing
// and returns an error wrapping ErrRejected.
func (e *Exporter) Export(ctx context.Context, open source.Opener, dir string) (Summary, error) {
	now := e.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	sum := Summary{Works: map[catalog.Kind]int{}}
	suspects, err := duplicateSuspects(ctx, open)
	if err == nil {
		err = e.writeFiles(ctx, open, suspects, dir, &sum)
	}
	if err == nil && e.Index != nil {
		err = e.writeIndex(ctx, open, suspects, &sum)
	}
	sum.Duration = now().Sub(start)
	return sum, err
}

func (e *Exporter) partner() string { return cmp.Or(e.Partner, "Living Room") }

func (e *Exporter) writeFiles(ctx context.Context, open source.Opener, suspects map[string]struct{}, dir string, sum *Summary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	partner := e.partner()
	works, err := createOutput(dir, CatalogFile, partner)
	if err != nil {
		return err
	}
	defer works.discard()
	channels, err := createOutput(dir, ChannelsFile, partner)
	if err != nil {
		return err
	}
	defer channels.discard()

	regions := e.Regions
	if len(regions) == 0 {
		regions = []string{"US"}
	}
	m := newMapper(cmp.Or(e.Locale, "en-US"), regions)
	var broadcasts []cdf.Broadcast // one per numbered channel: bounded by the lineup, not the catalog
	// Once a record is rejected and nothing will be written, only validate.
	doomed := func() bool { return sum.Invalid > 0 && !e.SkipInvalid }

	err = e.scan(ctx, open, suspects, e.Report, func(w catalog.Work) error {
		if doomed() {
			return nil
		}
		sum.Works[w.Kind]++
		switch w.Kind {
		case catalog.Movie:
			return works.cdf.Movie(m.movie(w))
		case catalog.Series:
			return works.cdf.Show(m.show(w))
		case catalog.Season:
			return works.cdf.Season(m.season(w))
		default:
			return works.cdf.Episode(m.episode(w))
		}
	}, func(c catalog.Channel) error {
		if doomed() {
			return nil
		}
		sum.Channels++
		if c.Number != "" {
			broadcasts = append(broadcasts, broadcast(c))
		}
		return channels.cdf.Station(m.station(c))
	}, &sum.Invalid)
	if err != nil {
		return err
	}
	if doomed() {
		sum.Works, sum.Channels = map[catalog.Kind]int{}, 0
		return fmt.Errorf("%w: %d invalid records; nothing written (--skip-invalid writes the valid rest)", ErrRejected, sum.Invalid)
	}
	if len(broadcasts) > 0 {
		lineup := cdf.Lineup{ID: "lineup-" + slug(partner), Name: partner, Broadcasts: broadcasts}
		if err := channels.cdf.Lineup(lineup); err != nil {
			return fmt.Errorf("write %s: %w", ChannelsFile, err)
		}
	}
	// Finish both before renaming either, so a failed write leaves the
	// previous export untouched.
	for _, o := range []*output{works, channels} {
		if err := o.finish(); err != nil {
			return err
		}
	}
	for _, o := range []*output{works, channels} {
		if err := o.commit(); err != nil {
			return err
		}
		sum.Files = append(sum.Files, File{Path: o.path, Bytes: o.size})
	}
	return nil
}

func (e *Exporter) writeIndex(ctx context.Context, open source.Opener, suspects map[string]struct{}, sum *Summary) error {
	size := e.IndexBatch
	if size <= 0 {
		size = 100
	}
	batch := make([]catalog.Work, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := e.Index.PutWorks(ctx, batch); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		sum.IndexedWorks += len(batch)
		batch = batch[:0]
		return nil
	}
	var channels []catalog.Channel
	var invalid int
	// The same checks as the file pass accept the same records.
	err := e.scan(ctx, open, suspects, nil, func(w catalog.Work) error {
		batch = append(batch, w)
		if len(batch) == size {
			return flush()
		}
		return nil
	}, func(c catalog.Channel) error {
		channels = append(channels, c)
		return nil
	}, &invalid)
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	for len(channels) > 0 {
		n := min(size, len(channels))
		if err := e.Index.PutChannels(ctx, channels[:n]); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		sum.IndexedChannels += n
		channels = channels[n:]
	}
	return nil
}

// scan decodes and checks the source, passing accepted records to the
// visit functions and counting rejected ones in invalid (and reporting
// them). It stops early only on a read error, a visit error or
// cancellation.
func (e *Exporter) scan(ctx context.Context, open source.Opener, suspects map[string]struct{}, report func(error),
	visitWork func(catalog.Work) error, visitChannel func(catalog.Channel) error, invalid *int,
) error {
	rc, err := open()
	if err != nil {
		return err
	}
	defer rc.Close()
	reject := func(line int, err error) {
		*invalid++
		if report == nil {
			return
		}
		var fes catalog.FieldErrors
		if !errors.As(err, &fes) {
			report(err)
			return
		}
		for _, fe := range fes {
			report(fmt.Errorf("line %d: %w", line, fe))
		}
	}
	d := source.NewDecoder(rc)
	chk := newChecker(suspects)
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("export: %w", err)
			}
		}
		rec, err := d.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var lineErr *source.LineError
		if errors.As(err, &lineErr) {
			reject(rec.Line, err)
			continue
		}
		if err != nil {
			return err
		}
		if rec.Channel != nil {
			if err := chk.channel(*rec.Channel); err != nil {
				reject(rec.Line, err)
			} else if err := visitChannel(*rec.Channel); err != nil {
				return err
			}
			continue
		}
		w, err := chk.work(*rec.Work)
		if err != nil {
			reject(rec.Line, err)
		} else if err := visitWork(w); err != nil {
			return err
		}
	}
}

// duplicateSuspects reads only the ids of the source and returns those that
// may occur more than once: a Bloom filter remembers the ids (12 bits
// each), and only ids it may have seen before are kept in full. The record
// passes then track just these to find duplicates exactly, so memory does
// not grow by a whole id per work.
func duplicateSuspects(ctx context.Context, open source.Opener) (map[string]struct{}, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	seen := newBloom()
	suspects := map[string]struct{}{}
	n := 0
	err = source.ScanIDs(rc, func(id string) error {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("export: %w", err)
			}
		}
		if seen.add(id) {
			suspects[id] = struct{}{}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return suspects, nil
}

// output is one CDF file being written under a temporary name next to its
// final path, so the rename that publishes it is atomic.
type output struct {
	path string
	f    *os.File
	buf  *bufio.Writer
	cdf  *cdf.Writer
	size int64
	done bool
}

func createOutput(dir, name, partner string) (*output, error) {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	o := &output{path: filepath.Join(dir, name), f: f, buf: bufio.NewWriterSize(f, 256<<10)}
	if o.cdf, err = cdf.NewWriter(o.buf, partner); err != nil {
		o.discard()
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	return o, nil
}

// finish completes the document and makes it durable under its temporary
// name.
func (o *output) finish() error {
	steps := []func() error{o.cdf.Close, o.buf.Flush, func() error { return o.f.Chmod(0o644) }, o.f.Sync}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("write %s: %w", o.path, err)
		}
	}
	info, err := o.f.Stat()
	if err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	o.size = info.Size()
	if err := o.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	return nil
}

func (o *output) commit() error {
	if err := os.Rename(o.f.Name(), o.path); err != nil {
		return fmt.Errorf("publish %s: %w", o.path, err)
	}
	o.done = true
	return nil
}

// discard removes the temporary file unless it was published.
func (o *output) discard() {
	if o.done {
		return
	}
	_ = o.f.Close()
	_ = os.Remove(o.f.Name())
}
