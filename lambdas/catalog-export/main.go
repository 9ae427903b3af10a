// Command catalog-export is the CatalogExportFunction Lambda: on its
// schedule it exports the partner's metadata (a JSON Lines object in S3)
// to Amazon's catalog bucket and updates the catalog index.
package main

import (
	"cmp"
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/s3sink"
	"livingroom/catalog-exporter/scheduled"
	"livingroom/internal/dynamo"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		logger.Error("load AWS config", "err", err)
		os.Exit(1)
	}
	client := s3sink.NewClient(cfg, "")
	sink, err := s3sink.New(client, os.Getenv("CATALOG_BUCKET_URL"), 0)
	if err != nil {
		logger.Error("CATALOG_BUCKET_URL", "err", err)
		os.Exit(1)
	}
	limit, err := export.ParseLimit(cmp.Or(os.Getenv("MAX_REMOVALS"), export.DefaultMaxRemovals.String()))
	if err != nil {
		logger.Error("MAX_REMOVALS", "err", err)
		os.Exit(1)
	}
	job := &scheduled.Job{
		S3: client, SourceBucket: os.Getenv("SOURCE_BUCKET"), SourceKey: os.Getenv("SOURCE_KEY"),
		StateBucket: os.Getenv("SOURCE_BUCKET"), StatePrefix: cmp.Or(os.Getenv("STATE_PREFIX"), "catalog-exporter/state/"),
		TempDir: os.TempDir(),
		Exporter: export.Exporter{
			Partner: os.Getenv("PARTNER_NAME"), Formats: strings.Split(cmp.Or(os.Getenv("FORMATS"), export.FormatCDF), ","),
			MaxRemovals: &limit, Gzip: os.Getenv("GZIP") == "true", Sink: sink, Now: time.Now,
			Index:  dynamo.NewCatalog(dynamo.NewClient(cfg, ""), os.Getenv("CATALOG_TABLE")),
			Report: func(p export.Problem) { logger.Warn("catalog problem", "problem", p) },
		},
	}
	lambda.Start(func(ctx context.Context) (scheduled.Result, error) {
		res, err := job.Run(ctx)
		logger.Info("catalog export", "summary", res.Summary, "err", err)
		return res, err
	})
}
