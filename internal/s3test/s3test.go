// Package s3test serves an S3-compatible API (gofakes3, in memory) on a
// loopback port for tests, and gives the real SDK client for it.
package s3test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Server is a fake S3 with one bucket; it records the requests that create
// objects, so tests can check their headers.
type Server struct {
	URL    string
	Bucket string
	Client *s3.Client

	mu      sync.Mutex
	creates []*http.Request
}

// New starts a server with bucket created, stopped when the test ends.
func New(t testing.TB, bucket string) *Server {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	s := &Server{Bucket: bucket}
	fake := gofakes3.New(backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		// PutObject, or CreateMultipartUpload (POST ?uploads).
		if r.Method == http.MethodPut && !q.Has("partNumber") || r.Method == http.MethodPost && q.Has("uploads") {
			s.mu.Lock()
			s.creates = append(s.creates, r.Clone(context.Background()))
			s.mu.Unlock()
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	s.Client = s3.NewFromConfig(Config(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	return s
}

// Config is an SDK configuration with fixed local credentials.
func Config() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
}

// Creates returns, per object key, the headers of the requests that created
// it (PutObject or CreateMultipartUpload), and how many were multipart.
func (s *Server) Creates() (headers map[string]http.Header, multipart int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	headers = map[string]http.Header{}
	for _, r := range s.creates {
		key := strings.TrimPrefix(r.URL.Path, "/"+s.Bucket+"/")
		headers[key] = r.Header
		if r.Method == http.MethodPost {
			multipart++
		}
	}
	return headers, multipart
}

// Keys lists the bucket's keys under prefix.
func (s *Server) Keys(t testing.TB, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// CreateBucket adds a bucket.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if _, err := s.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}
