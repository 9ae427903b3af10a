package export

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The snapshot is what the last published export contained: one entry a
// work or channel, in id order, with a hash of what was written for it. The
// next export walks its source in the same order and merges the two, so the
// diff costs no memory. The format is the magic line, then per entry the
// id length (uvarint), the id, the kind (one byte) and the hash (8 bytes,
// little-endian).
const snapshotMagic = "livingroom catalog snapshot v1\n"

// Entry kinds in the snapshot.
const (
	entryWork    = 'W'
	entryChannel = 'C'
)

type snapEntry struct {
	id   string
	kind byte
	hash uint64
}

// snapshotReader reads a snapshot in order; a missing snapshot reads as
// empty.
type snapshotReader struct {
	f    *os.File
	r    *bufio.Reader
	cur  snapEntry
	ok   bool // cur is valid
	err  error
	prev string
}

func openSnapshot(path string) (*snapshotReader, bool, error) {
	s := &snapshotReader{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("open snapshot: %w", err)
	}
	s.f, s.r = f, bufio.NewReaderSize(f, 256<<10)
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(s.r, magic); err != nil || string(magic) != snapshotMagic {
		f.Close()
		return nil, false, fmt.Errorf("snapshot %s: not a snapshot of this exporter (remove it to start afresh)", path)
	}
	s.next()
	return s, true, s.err
}

func (s *snapshotReader) next() {
	s.ok = false
	if s.r == nil || s.err != nil {
		return
	}
	n, err := binary.ReadUvarint(s.r)
	if errors.Is(err, io.EOF) {
		return
	}
	if err != nil || n > 1<<16 {
		s.err = fmt.Errorf("snapshot: corrupt entry after %q", s.prev)
		return
	}
	buf := make([]byte, n+9)
	if _, err := io.ReadFull(s.r, buf); err != nil {
		s.err = fmt.Errorf("snapshot: truncated after %q", s.prev)
		return
	}
	s.cur = snapEntry{id: string(buf[:n]), kind: buf[n], hash: binary.LittleEndian.Uint64(buf[n+1:])}
	if s.cur.id <= s.prev && s.prev != "" {
		s.err = fmt.Errorf("snapshot: entries out of order at %q", s.cur.id)
		return
	}
	s.prev, s.ok = s.cur.id, true
}

func (s *snapshotReader) close() {
	if s.f != nil {
		s.f.Close()
	}
}

// snapshotWriter writes the next snapshot beside the current one; commit
// renames it into place.
type snapshotWriter struct {
	path string
	f    *os.File
	w    *bufio.Writer
	buf  []byte
	last string
	done bool
}

func createSnapshot(path string) (*snapshotWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create state directory: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".snapshot.*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create snapshot: %w", err)
	}
	s := &snapshotWriter{path: path, f: f, w: bufio.NewWriterSize(f, 256<<10)}
	_, err = s.w.WriteString(snapshotMagic)
	return s, err
}

func (s *snapshotWriter) add(id string, kind byte, hash uint64) error {
	if id <= s.last && s.last != "" {
		return fmt.Errorf("snapshot: %q after %q: not in id order", id, s.last)
	}
	s.last = id
	s.buf = binary.AppendUvarint(s.buf[:0], uint64(len(id)))
	s.buf = append(s.buf, id...)
	s.buf = append(s.buf, kind)
	s.buf = binary.LittleEndian.AppendUint64(s.buf, hash)
	_, err := s.w.Write(s.buf)
	return err
}

func (s *snapshotWriter) commit() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := os.Rename(s.f.Name(), s.path); err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	s.done = true
	return nil
}

func (s *snapshotWriter) discard() {
	if !s.done {
		s.f.Close()
		os.Remove(s.f.Name())
	}
}

// readLines reads a small state file of one name a line; missing is empty.
func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out, nil
}

// writeLines replaces a state file atomically.
func writeLines(path string, lines []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".state.*.tmp")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(strings.Join(lines, "\n") + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}
