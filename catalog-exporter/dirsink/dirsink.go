// Package dirsink publishes catalog files into a directory, with the same
// layout as Amazon's bucket (catalogs/, pages/, manifests/, ember/...).
// Every file is written under a temporary name beside its final one,
// synced, and renamed into place on Commit, so a reader never sees half a
// file.
package dirsink

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"livingroom/catalog-exporter/export"
)

// Dir is a directory sink.
type Dir struct{ root string }

// New returns a sink writing under root (created when missing).
func New(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	return &Dir{root: root}, nil
}

// Location is the key: readers of the directory use the same layout.
func (d *Dir) Location(key string) string { return key }

// Bucket is empty: a directory is not a bucket.
func (d *Dir) Bucket() string { return "" }

// Create implements export.Sink.
func (d *Dir) Create(_ context.Context, key string) (export.Object, error) {
	if key == "" || strings.Contains(key, "..") || filepath.IsAbs(key) {
		return nil, fmt.Errorf("dirsink: bad key %q", key)
	}
	path := filepath.Join(d.root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", key, err)
	}
	return &file{f: f, path: path}, nil
}

type file struct {
	f    *os.File
	path string
	done bool
}

func (f *file) Write(p []byte) (int, error) { return f.f.Write(p) }

// Commit syncs the file and renames it into place.
func (f *file) Commit() error {
	if f.done {
		return errors.New("dirsink: file already committed or aborted")
	}
	f.done = true
	err := f.f.Chmod(0o644)
	if err == nil {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.f.Name())
		return fmt.Errorf("publish %s: %w", f.path, err)
	}
	return nil
}

// Abort removes the temporary file.
func (f *file) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.f.Close()
	os.Remove(f.f.Name())
}
