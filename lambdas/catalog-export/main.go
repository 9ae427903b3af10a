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
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"

	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/s3sink"
	"livingroom/catalog-exporter/scheduled"
	"livingroom/internal/dynamo"
	"livingroom/internal/emf"
	"livingroom/internal/jsonlog"
)

// maxLoggedProblems bounds the problems logged per run.
const maxLoggedProblems = 200

var logged atomic.Int64

func main() {
	logger := jsonlog.New(os.Stderr, jsonlog.ParseLevel(os.Getenv("AWS_LAMBDA_LOG_LEVEL")))
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		logger.Error("load AWS config", "err", err)
		os.Exit(1)
	}
	// S3_ENDPOINT and DYNAMODB_ENDPOINT point at local servers (sam local,
	// the template test); unset on AWS.
	client := s3sink.NewClient(cfg, os.Getenv("S3_ENDPOINT"))
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
			Index: dynamo.NewCatalog(dynamo.NewClient(cfg, os.Getenv("DYNAMODB_ENDPOINT")), os.Getenv("CATALOG_TABLE")),
			Report: func(p export.Problem) {
				// The summary counts them all; the log keeps the first few.
				if logged.Add(1) <= maxLoggedProblems {
					logger.Warn("catalog problem", "problem", p)
				}
			},
		},
	}
	metrics := emf.New(os.Stdout, "catalog-export", time.Now)
	lambda.Start(func(ctx context.Context) (scheduled.Result, error) {
		logged.Store(0)
		began := time.Now()
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			ctx = jsonlog.With(ctx, slog.String("requestId", lc.AwsRequestID))
		}
		res, err := job.Run(ctx)
		logger.InfoContext(ctx, "catalog export", "summary", res.Summary, "err", err)
		metrics.Export(time.Since(began), res.WorksExported(), res.Errors, res.Failure(err))
		return res, err
	})
}
