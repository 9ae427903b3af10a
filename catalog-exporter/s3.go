package main

import (
	"context"
	"errors"

	"livingroom/catalog-exporter/export"
)

func newS3Sink(ctx context.Context, url string, getenv func(string) string) (export.Sink, error) {
	return nil, errors.New("s3 not yet")
}
