// Package s3fs presents an S3 bucket (under an optional prefix) as a
// read-only fs.FS, so that alexa-sim ingests the catalog from the bucket
// the exporter publishes to, as Alexa does. Keys are files; key prefixes
// ending in "/" are directories.
package s3fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// API is the part of the S3 client the file system uses.
type API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// FS is a bucket as a file system. Every call uses the context it was made
// with, which bounds the whole ingestion.
type FS struct {
	ctx    context.Context
	api    API
	bucket string
	prefix string // "" or ending in "/"
}

// New returns the file system of bucket under prefix.
func New(ctx context.Context, api API, bucket, prefix string) *FS {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return &FS{ctx: ctx, api: api, bucket: bucket, prefix: prefix}
}

// MaxEntries bounds one directory listing.
const MaxEntries = 200_000

func (f *FS) key(name string) string {
	if name == "." {
		return f.prefix
	}
	return f.prefix + name
}

// Open opens a key, or a directory when keys exist under name/.
func (f *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &dir{fsys: f, name: name}, nil
	}
	out, err := f.api.GetObject(f.ctx, &s3.GetObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(f.key(name))})
	var noKey *types.NoSuchKey
	if errors.As(err, &noKey) {
		if f.isDir(name) {
			return &dir{fsys: f, name: name}, nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &file{body: out.Body, info: info{name: path.Base(name), size: aws.ToInt64(out.ContentLength), mod: aws.ToTime(out.LastModified)}}, nil
}

// Stat implements fs.StatFS with one HeadObject.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return info{name: ".", dir: true}, nil
	}
	out, err := f.api.HeadObject(f.ctx, &s3.HeadObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(f.key(name))})
	var notFound *types.NotFound
	var noKey *types.NoSuchKey
	if errors.As(err, &notFound) || errors.As(err, &noKey) {
		if f.isDir(name) {
			return info{name: path.Base(name), dir: true}, nil
		}
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return info{name: path.Base(name), size: aws.ToInt64(out.ContentLength), mod: aws.ToTime(out.LastModified)}, nil
}

func (f *FS) isDir(name string) bool {
	out, err := f.api.ListObjectsV2(f.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(f.bucket), Prefix: aws.String(f.key(name) + "/"), MaxKeys: aws.Int32(1)})
	return err == nil && (len(out.Contents) > 0 || len(out.CommonPrefixes) > 0)
}

// ReadDir implements fs.ReadDirFS: one level, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	prefix := f.key(name)
	if name != "." {
		prefix += "/"
	}
	var entries []fs.DirEntry
	p := s3.NewListObjectsV2Paginator(f.api, &s3.ListObjectsV2Input{Bucket: aws.String(f.bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/")})
	for p.HasMorePages() {
		out, err := p.NextPage(f.ctx)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
		}
		for _, cp := range out.CommonPrefixes {
			entries = append(entries, fs.FileInfoToDirEntry(info{name: strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), prefix), "/"), dir: true}))
		}
		for _, o := range out.Contents {
			base := strings.TrimPrefix(aws.ToString(o.Key), prefix)
			if base == "" {
				continue
			}
			entries = append(entries, fs.FileInfoToDirEntry(info{name: base, size: aws.ToInt64(o.Size), mod: aws.ToTime(o.LastModified)}))
		}
		if len(entries) > MaxEntries {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: fmt.Errorf("more than %d entries", MaxEntries)}
		}
	}
	if len(entries) == 0 && name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	return entries, nil
}

type info struct {
	name string
	size int64
	mod  time.Time
	dir  bool
}

func (i info) Name() string { return i.name }
func (i info) Size() int64  { return i.size }

// ModTime is to the second: HTTP dates (GetObject, HeadObject) carry no
// more, listings do.
func (i info) ModTime() time.Time { return i.mod.Truncate(time.Second) }
func (i info) IsDir() bool        { return i.dir }
func (i info) Sys() any           { return nil }
func (i info) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

type file struct {
	body io.ReadCloser
	info info
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Read(p []byte) (int, error) { return f.body.Read(p) }
func (f *file) Close() error               { return f.body.Close() }

type dir struct {
	fsys *FS
	name string
	left []fs.DirEntry
	read bool
}

func (d *dir) Stat() (fs.FileInfo, error) { return info{name: path.Base(d.name), dir: true}, nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}
func (d *dir) Close() error { return nil }

// ReadDir implements fs.ReadDirFile.
func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		entries, err := d.fsys.ReadDir(d.name)
		if err != nil {
			return nil, err
		}
		d.left, d.read = entries, true
	}
	if n <= 0 {
		out := d.left
		d.left = nil
		return out, nil
	}
	if len(d.left) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.left))
	out := d.left[:n]
	d.left = d.left[n:]
	return out, nil
}
