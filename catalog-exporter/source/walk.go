package source

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// Source is a catalog the exporter reads in id order, as often as it needs:
// once to validate, once to write, once more for the index. Reading in id
// order is what makes the files deterministic and lets the exporter find
// duplicates and diff against the last export while holding one record at
// a time.
type Source interface {
	// Walk calls visit with every record in ascending id order; records
	// with the same id come in source order. Lines that are not records
	// come first, each as a Record with Err set. The record belongs to the
	// caller.
	Walk(ctx context.Context, visit func(Record) error) error
	// String names the source for summaries.
	String() string
}

// ID is the id of the record's work or channel.
func (r Record) ID() string {
	switch {
	case r.Work != nil:
		return r.Work.ID
	case r.Channel != nil:
		return r.Channel.ID
	}
	return ""
}

// Lines is a JSON Lines source indexed by id: building it reads the file
// once and keeps each line's id, offset and length (about 40 bytes a line
// plus the id); Walk then reads the lines in id order. A file already in id
// order is read sequentially.
type Lines struct {
	name    string
	r       io.ReaderAt
	entries []entry
	ids     []byte // every id, back to back
	inOrder bool   // the file is already in id order
}

type entry struct {
	off    int64
	length int32
	line   int32
	idOff  uint32
	idLen  uint16
}

// MaxIDBytes bounds the arena of ids (the longest valid id is 256 bytes).
const maxIDBytes = 1 << 31

// NewLines indexes a JSON Lines source of size bytes.
func NewLines(ctx context.Context, name string, r io.ReaderAt, size int64) (*Lines, error) {
	l := &Lines{name: name, r: r}
	sc := bufio.NewScanner(io.NewSectionReader(r, 0, size))
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	var rec struct {
		ID string `json:"id"`
	}
	var off int64
	for n := int32(1); sc.Scan(); n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("index source: %w", err)
			}
		}
		b := sc.Bytes()
		e := entry{off: off, length: int32(len(b)), line: n, idOff: uint32(len(l.ids))}
		off += int64(len(b)) + 1
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		rec.ID = ""
		// A line that is not JSON keeps an empty id: Walk reports it first.
		if json.Unmarshal(b, &rec) == nil && len(rec.ID) <= 1<<16-1 {
			e.idLen = uint16(len(rec.ID))
			l.ids = append(l.ids, rec.ID...)
		}
		if len(l.ids) > maxIDBytes || n == 1<<31-1 {
			return nil, errors.New("index source: too many records")
		}
		l.entries = append(l.entries, e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than %d bytes: %w", len(l.entries)+1, MaxLine, err)
		}
		return nil, fmt.Errorf("read source: %w", err)
	}
	l.inOrder = slices.IsSortedFunc(l.entries, l.compare)
	if !l.inOrder {
		slices.SortStableFunc(l.entries, l.compare)
	}
	return l, nil
}

func (l *Lines) id(e entry) []byte { return l.ids[e.idOff : e.idOff+uint32(e.idLen)] }

func (l *Lines) compare(a, b entry) int {
	return cmp.Or(bytes.Compare(l.id(a), l.id(b)), cmp.Compare(a.line, b.line))
}

func (l *Lines) String() string { return l.name }

// Len is the number of records (and lines that are not records).
func (l *Lines) Len() int { return len(l.entries) }

// Walk implements Source.
func (l *Lines) Walk(ctx context.Context, visit func(Record) error) error {
	rd := windowReader{r: l.r}
	for i, e := range l.entries {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("read source: %w", err)
			}
		}
		b, err := rd.read(e.off, int(e.length))
		if err != nil {
			return fmt.Errorf("read source line %d: %w", e.line, err)
		}
		rec, err := decode(bytes.TrimSpace(b))
		rec.Line = int(e.line)
		if err != nil {
			rec.Err = &LineError{Line: int(e.line), Err: err}
		}
		if err := visit(rec); err != nil {
			return err
		}
	}
	return nil
}

// windowReader reads ranges of a ReaderAt through a 1 MiB window, so that
// reading in file order costs one call per MiB.
type windowReader struct {
	r   io.ReaderAt
	buf []byte
	off int64
}

func (w *windowReader) read(off int64, n int) ([]byte, error) {
	if off >= w.off && off+int64(n) <= w.off+int64(len(w.buf)) {
		return w.buf[off-w.off : off-w.off+int64(n)], nil
	}
	size := max(n, 1<<20)
	if cap(w.buf) < size {
		w.buf = make([]byte, size)
	}
	w.buf = w.buf[:size]
	got, err := w.r.ReadAt(w.buf, off)
	if got < n {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	w.buf, w.off = w.buf[:got], off
	return w.buf[:n], nil
}

// OpenFile indexes a JSON Lines file; close it when done.
func OpenFile(ctx context.Context, path string) (*Lines, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open source: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open source: %w", err)
	}
	l, err := NewLines(ctx, path, f, info.Size())
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return l, f, nil
}

// SampleSource is the bundled sample catalog as a Source.
func SampleSource(ctx context.Context) (*Lines, error) {
	return NewLines(ctx, "bundled sample", bytes.NewReader(sample), int64(len(sample)))
}

// Bytes is a JSON Lines source held in memory (tests, small feeds).
func Bytes(ctx context.Context, name string, b []byte) (*Lines, error) {
	return NewLines(ctx, name, bytes.NewReader(b), int64(len(b)))
}
