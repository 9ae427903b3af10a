// Package export turns the partner's metadata into Amazon's catalog files
// — CDF v1.3 (one file, or pages and a manifest) and EMBER 1.0 (a full
// catalog or an update with deletes) — and keeps the catalog index the
// skill resolves entities with up to date.
//
// An export reads the source in id order, in passes that each hold one
// record at a time:
//
//  1. validate: every record on its own, duplicates (side by side in id
//     order), seasons against series;
//  2. write: episodes against seasons; each work is encoded once, hashed,
//     and merged with the snapshot of the last export (also in id order)
//     into Added / Updated / Unchanged / Removed; files are streamed to the
//     sink; the next snapshot is written beside the last;
//  3. index (with an Index): the works that changed, again from the source.
//
// Nothing is published when the catalog is refused (Strict and any error,
// fewer than half the works with a valid image, more removals than
// MaxRemovals allows): the catalog file and the manifests are committed only
// at the end, and pages or EMBER files already written are not referenced.
package export

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"

	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
	"livingroom/internal/cdf"
	"livingroom/internal/ember"
)

// ErrRefused means the catalog was not published; the Summary says why.
var ErrRefused = errors.New("catalog refused")

// Formats to export.
const (
	FormatCDF   = "cdf"
	FormatEMBER = "ember"
)

// Index is the catalog index as the exporter keeps it up to date. The
// DynamoDB adapter implements it.
type Index interface {
	// PutWorks writes works that are new to the index.
	PutWorks(ctx context.Context, works []catalog.Work) error
	// ReplaceWorks writes changed works and removes their lookup items
	// that no longer apply (a renamed title, a dropped external id).
	ReplaceWorks(ctx context.Context, works []catalog.Work) error
	// DeleteWorks removes works and all their lookup items.
	DeleteWorks(ctx context.Context, ids []string) error
	PutChannels(ctx context.Context, channels []catalog.Channel) error
	DeleteChannels(ctx context.Context, ids []string) error
}

// Limit is a threshold given as a count or a percentage.
type Limit struct {
	Count   int     // used when Percent is 0
	Percent float64 // of the works in the last export
}

// ParseLimit reads "500" or "2.5%".
func ParseLimit(s string) (Limit, error) {
	var l Limit
	var err error
	if p, ok := strings.CutSuffix(strings.TrimSpace(s), "%"); ok {
		_, err = fmt.Sscanf(p, "%g", &l.Percent)
		if err == nil && (l.Percent < 0 || l.Percent > 100) {
			err = errors.New("out of range")
		}
		if l.Percent == 0 {
			l.Count = 0
		}
	} else {
		_, err = fmt.Sscanf(s, "%d", &l.Count)
		if err == nil && l.Count < 0 {
			err = errors.New("negative")
		}
	}
	if err != nil {
		return Limit{}, fmt.Errorf("%q is not a count or a percentage: %v", s, err)
	}
	return l, nil
}

func (l Limit) String() string {
	if l.Percent > 0 {
		return fmt.Sprintf("%g%%", l.Percent)
	}
	return fmt.Sprint(l.Count)
}

// allows tells whether n of total is within the limit.
func (l Limit) allows(n, total int) bool {
	if l.Percent > 0 {
		return float64(n) <= l.Percent/100*float64(total)
	}
	return n <= l.Count
}

// DefaultMaxRemovals refuses an export that would remove more than a tenth
// of the catalog.
var DefaultMaxRemovals = Limit{Percent: 10}

// Exporter exports one source. Sink and StateDir are required; the other
// fields have the defaults documented on them.
type Exporter struct {
	Partner string   // CDF Partner; default "Living Room"
	Locale  string   // locale of titles and texts; default "en-US"
	Regions []string // countries of works without availability; default US
	Formats []string // FormatCDF, FormatEMBER; default CDF

	Strict      bool   // refuse on any error instead of leaving the work out
	MaxRemovals *Limit // default DefaultMaxRemovals
	PageSize    int    // works per CDF page and EMBER file; 0: one CDF file, one EMBER file pair
	Gzip        bool
	EmberFull   bool // write CATALOG_FULL even when a snapshot allows an update

	Sink     Sink
	StateDir string // where the snapshot of the last export is kept

	// Index, when set, is updated after the files are published: in full
	// on the first export, then with the changes only.
	Index      Index
	IndexBatch int // works per index call; default 100

	// Report receives every problem; nil discards them.
	Report func(Problem)
	// Progress is told how far an export is, every few thousand records.
	Progress func(stage string, done, total int)
	Now      func() time.Time // default time.Now
}

// Diff counts the works of this export against the last, as Amazon's
// ingestion report does.
type Diff struct {
	Added     int `json:"added"`
	Removed   int `json:"removed"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Summary says what an export did.
type Summary struct {
	Source      string               `json:"source"`
	Works       map[catalog.Kind]int `json:"works"` // works exported, by kind
	Channels    int                  `json:"channels"`
	Errors      int                  `json:"errors"`   // problems that left a record out
	Warnings    int                  `json:"warnings"` // problems reported only
	Images      int                  `json:"worksWithImage"`
	Diff        Diff                 `json:"diff"`
	FirstExport bool                 `json:"firstExport"`
	Refused     string               `json:"refused,omitempty"` // why nothing was published
	Files       []File               `json:"files"`
	PagesReused int                  `json:"pagesReused,omitempty"`
	EmberType   string               `json:"emberType,omitempty"`
	Index       *IndexSummary        `json:"index,omitempty"`
	Duration    time.Duration        `json:"-"`
	Seconds     float64              `json:"seconds"`
}

// IndexSummary counts what the index update wrote.
type IndexSummary struct {
	Put             int `json:"put"`
	Replaced        int `json:"replaced"`
	Deleted         int `json:"deleted"`
	Channels        int `json:"channels"`
	ChannelsDeleted int `json:"channelsDeleted"`
	// Full is set when every work was written: a first export, or an index
	// that did not hold the last export.
	Full bool `json:"full"`
}

// Total is the number of works exported.
func (s Summary) Total() int {
	n := 0
	for _, c := range s.Works {
		n += c
	}
	return n
}

func (e *Exporter) partner() string { return cmp.Or(e.Partner, "Living Room") }

func (e *Exporter) wants(format string) bool {
	if len(e.Formats) == 0 {
		return format == FormatCDF
	}
	return slices.Contains(e.Formats, format)
}

// state file names in StateDir.
const (
	snapshotFile = "snapshot"
	pagesFile    = "pages"
	indexGenFile = "index-generation"
)

// StateFiles are the files an exporter keeps in StateDir between runs.
var StateFiles = []string{snapshotFile, pagesFile, indexGenFile}

// Generations is implemented by an index that remembers which export it
// holds (the DynamoDB adapter does). When the index does not hold the
// export the snapshot describes — a fresh table, a restore, a failed run —
// the exporter writes it in full rather than patching it.
type Generations interface {
	Generation(ctx context.Context) (string, error) // "" when none
	SetGeneration(ctx context.Context, gen string) error
}

// Export runs one export of src. It returns an error wrapping ErrRefused
// when the catalog was refused (Summary.Refused says why), or another error
// when reading, writing or indexing failed; either way the last published
// catalog and snapshot stay as they were.
func (e *Exporter) Export(ctx context.Context, src source.Source) (Summary, error) {
	now := e.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	sum := Summary{Source: src.String(), Works: map[catalog.Kind]int{}}
	err := e.export(ctx, src, now, &sum)
	sum.Duration = now().Sub(start)
	sum.Seconds = sum.Duration.Seconds()
	return sum, err
}

func (e *Exporter) export(ctx context.Context, src source.Source, now func() time.Time, sum *Summary) error {
	if e.Sink == nil || e.StateDir == "" {
		return errors.New("export: no sink or state directory")
	}
	chk := newChecker(e.Report)
	defer func() { sum.Errors, sum.Warnings = chk.errors, chk.warnings }()

	// Pass 1: validate.
	n := 0
	err := walk(ctx, src, func(rec source.Record) error {
		chk.first(rec)
		e.progress("validate", &n, 0)
		return nil
	})
	if err != nil {
		return err
	}
	chk.between()
	if e.Strict && chk.errors > 0 {
		sum.Refused = fmt.Sprintf("%d errors and --strict", chk.errors)
		return fmt.Errorf("%w: %s", ErrRefused, sum.Refused)
	}

	// Pass 2: write.
	snap, hadSnapshot, err := openSnapshot(filepath.Join(e.StateDir, snapshotFile))
	if err != nil {
		return err
	}
	defer snap.close()
	sum.FirstExport = !hadSnapshot
	prevPages, err := readLines(filepath.Join(e.StateDir, pagesFile))
	if err != nil {
		return err
	}
	indexFull, err := e.indexStale(ctx, hadSnapshot)
	if err != nil {
		return err
	}
	stamp := now().UTC().Format("20060102T150405Z")
	version := now().Unix()
	w, err := e.newWriters(ctx, hadSnapshot, stamp, version, prevPages)
	if err != nil {
		return err
	}
	defer w.abort()
	next, err := createSnapshot(filepath.Join(e.StateDir, snapshotFile))
	if err != nil {
		return err
	}
	defer next.discard()

	regions := e.Regions
	if len(regions) == 0 {
		regions = []string{"US"}
	}
	m := newMapper(cmp.Or(e.Locale, "en-US"), regions)
	var (
		buf      []byte
		removed  []string // work ids
		goneChan []string // channel ids
		changed  bitset   // walk positions of works to index
		pos      = -1
	)
	// gone walks the snapshot up to id, counting what is not there any more.
	gone := func(id string) {
		for snap.ok && (id == "" || snap.cur.id < id) {
			if snap.cur.kind == entryChannel {
				goneChan = append(goneChan, snap.cur.id)
			} else {
				sum.Diff.Removed++
				removed = append(removed, snap.cur.id)
			}
			snap.next()
		}
	}
	// diff classifies one work or channel against the snapshot.
	diff := func(id string, hash uint64) (isNew, isChanged bool) {
		gone(id)
		if snap.ok && snap.cur.id == id {
			isChanged = snap.cur.hash != hash
			snap.next()
			return false, isChanged
		}
		return true, true
	}
	channelByID := map[string]*catalog.Channel{}
	for i := range chk.channels {
		channelByID[chk.channels[i].ID] = &chk.channels[i]
	}
	n = 0
	err = walk(ctx, src, func(rec source.Record) error {
		pos++
		e.progress("write", &n, chk.works)
		if rec.Channel != nil {
			dup := chk.duplicate(rec.ID())
			ch := channelByID[rec.Channel.ID]
			if ch == nil || dup {
				return nil
			}
			st := m.station(*ch)
			buf = cdf.AppendStation(buf[:0], &st)
			h := xxhash.Sum64(buf)
			diff(ch.ID, h)
			return next.add(ch.ID, entryChannel, h)
		}
		wk := chk.second(rec)
		if wk == nil {
			return nil
		}
		buf = m.encode(buf[:0], wk)
		d := xxhash.New()
		d.Write(buf)
		d.WriteString("\x00" + wk.SeriesTitle)
		h := d.Sum64()
		isNew, isChanged := diff(wk.ID, h)
		switch {
		case isNew:
			sum.Diff.Added++
		case isChanged:
			sum.Diff.Updated++
		default:
			sum.Diff.Unchanged++
		}
		if isChanged || indexFull {
			changed.set(pos)
		}
		sum.Works[wk.Kind]++
		if wk.HasValidImage() {
			sum.Images++
		}
		if err := w.work(wk, buf, h, isChanged, m, version); err != nil {
			return err
		}
		return next.add(wk.ID, entryWork, h)
	})
	if err != nil {
		return err
	}
	gone("")
	if snap.err != nil {
		return snap.err
	}
	sum.Channels = len(chk.channels)

	// Decide.
	total := sum.Total()
	limit := cmp.Or(e.MaxRemovals, &DefaultMaxRemovals)
	previous := sum.Diff.Removed + sum.Diff.Updated + sum.Diff.Unchanged
	switch {
	case e.Strict && chk.errors > 0:
		sum.Refused = fmt.Sprintf("%d errors and --strict", chk.errors)
	case total > 0 && 2*sum.Images < total:
		sum.Refused = fmt.Sprintf("only %d of %d works have a valid JPEG or PNG image; Amazon rejects a catalog where fewer than half do", sum.Images, total)
	case hadSnapshot && !limit.allows(sum.Diff.Removed, previous):
		sum.Refused = fmt.Sprintf("%d of the %d works of the last export would be removed, more than --max-removals %s allows", sum.Diff.Removed, previous, limit)
	}
	if sum.Refused != "" {
		return fmt.Errorf("%w: %s", ErrRefused, sum.Refused)
	}

	// Publish.
	if err := w.finish(e, chk, m, removed, goneChan, version); err != nil {
		return err
	}
	files, err := w.publish(stamp, e.partner())
	if err != nil {
		return err
	}
	sum.Files, sum.PagesReused, sum.EmberType = files, w.pagesReused(), w.emberType
	if err := e.index(ctx, src, chk, changed, indexFull, removed, goneChan, sum); err != nil {
		return err
	}
	if err := e.markIndex(ctx, now()); err != nil {
		return err
	}
	if w.cdf != nil && w.cdf.pageSize > 0 {
		if err := writeLines(filepath.Join(e.StateDir, pagesFile), w.cdf.pages); err != nil {
			return err
		}
	}
	return next.commit()
}

func (e *Exporter) progress(stage string, n *int, total int) {
	if *n++; e.Progress != nil && *n%4096 == 0 {
		e.Progress(stage, *n, total)
	}
}

// encode appends a work's CDF element.
func (m mapper) encode(dst []byte, w *catalog.Work) []byte {
	switch w.Kind {
	case catalog.Movie:
		x := m.movie(*w)
		return cdf.AppendMovie(dst, &x)
	case catalog.Series:
		x := m.show(*w)
		return cdf.AppendShow(dst, &x)
	case catalog.Season:
		x := m.season(*w)
		return cdf.AppendSeason(dst, &x)
	default:
		x := m.episode(*w)
		return cdf.AppendEpisode(dst, &x)
	}
}

// writers are the files of one export.
type writers struct {
	ctx       context.Context
	cdf       *cdfWorks
	ember     *emberFiles
	emberType string
	channels  *object
	e         *Exporter
}

func (e *Exporter) newWriters(ctx context.Context, hadSnapshot bool, stamp string, version int64, prevPages []string) (*writers, error) {
	w := &writers{ctx: ctx, e: e}
	var err error
	if e.wants(FormatCDF) {
		if w.cdf, err = newCDFWorks(ctx, e.Sink, e.partner(), e.Gzip, e.PageSize, prevPages); err != nil {
			return nil, err
		}
	}
	if e.wants(FormatEMBER) {
		action := "replace"
		w.emberType = ember.CatalogFull
		if hadSnapshot && !e.EmberFull {
			w.emberType, action = ember.CatalogUpdate, "upsert"
		}
		w.ember = &emberFiles{ctx: ctx, sink: e.Sink, compress: e.Gzip, base: EmberDir + slug(e.partner()) + "-" + stamp,
			catalog: slug(e.partner()), version: version, action: action, perFile: e.PageSize}
	}
	return w, nil
}

func (w *writers) work(wk *catalog.Work, encoded []byte, hash uint64, changed bool, m mapper, version int64) error {
	if w.cdf != nil {
		if err := w.cdf.work(wk.ID, encoded, hash); err != nil {
			return err
		}
	}
	if w.ember != nil && (changed || w.emberType == ember.CatalogFull) {
		p, offers := m.program(wk, version)
		return w.ember.add(&p, offers)
	}
	return nil
}

// finish completes the works and writes the linear catalog.
func (w *writers) finish(e *Exporter, chk *checker, m mapper, removed, goneChannels []string, version int64) error {
	if w.cdf != nil {
		if err := w.cdf.finish(); err != nil {
			return err
		}
		o, err := createObject(w.ctx, e.Sink, ChannelsKey, e.Gzip)
		if err != nil {
			return err
		}
		w.channels = o
		cw, err := cdf.NewWriter(o, e.partner())
		if err != nil {
			return err
		}
		var broadcasts []cdf.Broadcast
		for _, c := range chk.channels {
			if err := cw.Station(m.station(c)); err != nil {
				return err
			}
			if c.Number != "" {
				broadcasts = append(broadcasts, broadcast(c))
			}
		}
		if len(broadcasts) > 0 {
			lineup := cdf.Lineup{ID: "lineup-" + slug(e.partner()), Name: e.partner(), Broadcasts: broadcasts}
			if err := cw.Lineup(lineup); err != nil {
				return err
			}
		}
		for _, c := range chk.channels {
			for _, day := range scheduleDays(c) {
				if err := cw.ScheduleDay(day); err != nil {
					return err
				}
			}
		}
		if err := cw.Close(); err != nil {
			return err
		}
	}
	if w.ember != nil {
		var deletes []string
		if w.emberType == ember.CatalogUpdate {
			deletes = removed
		}
		if err := w.ember.finish(deletes); err != nil {
			return err
		}
	}
	return nil
}

func (w *writers) publish(stamp, partner string) ([]File, error) {
	var files []File
	if w.cdf != nil {
		fs, err := w.cdf.publish(stamp)
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
		f, err := w.channels.commit()
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if w.ember != nil {
		fs, err := w.ember.publish(stamp, w.emberType, partner)
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	return files, nil
}

func (w *writers) pagesReused() int {
	if w.cdf == nil {
		return 0
	}
	return w.cdf.reused
}

func (w *writers) abort() {
	if w.cdf != nil {
		w.cdf.abort()
	}
	if w.ember != nil {
		w.ember.abort()
	}
	if w.channels != nil {
		w.channels.abort()
	}
}

// index updates the index: every work on the first export, else the works
// whose hash changed, read again from the source at the walk positions the
// write pass marked.
func (e *Exporter) index(ctx context.Context, src source.Source, chk *checker, changed bitset, full bool,
	removed, goneChannels []string, sum *Summary,
) error {
	if e.Index == nil {
		return nil
	}
	is := &IndexSummary{Full: full}
	sum.Index = is
	size := cmp.Or(e.IndexBatch, 100)
	batch := make([]catalog.Work, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var err error
		if !full {
			err = e.Index.ReplaceWorks(ctx, batch)
			is.Replaced += len(batch)
		} else {
			err = e.Index.PutWorks(ctx, batch)
			is.Put += len(batch)
		}
		if err != nil {
			return fmt.Errorf("index: %w", err)
		}
		batch = batch[:0]
		return nil
	}
	pos, n, prev := -1, 0, ""
	err := walk(ctx, src, func(rec source.Record) error {
		pos++
		id := rec.ID()
		dup := id != "" && id == prev
		prev = id
		if rec.Work == nil || dup || !changed.has(pos) {
			return nil
		}
		e.progress("index", &n, sum.Diff.Added+sum.Diff.Updated)
		w := *rec.Work
		if w.SeriesTitle == "" && w.SeriesID != "" {
			w.SeriesTitle = chk.series[w.SeriesID]
		}
		if batch = append(batch, w); len(batch) == size {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	for len(removed) > 0 {
		k := min(size, len(removed))
		if err := e.Index.DeleteWorks(ctx, removed[:k]); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		is.Deleted += k
		removed = removed[k:]
	}
	for chs := chk.channels; len(chs) > 0; {
		k := min(size, len(chs))
		if err := e.Index.PutChannels(ctx, chs[:k]); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		is.Channels += k
		chs = chs[k:]
	}
	if len(goneChannels) > 0 {
		if err := e.Index.DeleteChannels(ctx, goneChannels); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		is.ChannelsDeleted = len(goneChannels)
	}
	return nil
}

// indexStale reports whether the index must be written in full: there is
// no snapshot, or the index does not hold the export the state dir last
// wrote to it.
func (e *Exporter) indexStale(ctx context.Context, hadSnapshot bool) (bool, error) {
	if !hadSnapshot {
		return true, nil
	}
	g, ok := e.Index.(Generations)
	if !ok {
		return false, nil
	}
	have, err := g.Generation(ctx)
	if err != nil {
		return false, fmt.Errorf("index: %w", err)
	}
	want, err := readLines(filepath.Join(e.StateDir, indexGenFile))
	if err != nil {
		return false, err
	}
	return have == "" || len(want) != 1 || want[0] != have, nil
}

// markIndex gives the index and the state dir a new generation, after the
// index was written.
func (e *Exporter) markIndex(ctx context.Context, at time.Time) error {
	g, ok := e.Index.(Generations)
	if !ok {
		return nil
	}
	gen := strconv.FormatInt(at.UnixNano(), 36)
	if err := g.SetGeneration(ctx, gen); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return writeLines(filepath.Join(e.StateDir, indexGenFile), []string{gen})
}
