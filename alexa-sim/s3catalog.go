package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"livingroom/alexa-sim/ingest"
	"livingroom/alexa-sim/ingest/s3fs"
	"livingroom/catalog-exporter/s3sink"
)

// s3IngestTimeout bounds one ingestion from the bucket.
const s3IngestTimeout = 5 * time.Minute

// s3Catalog ingests from CATALOG_S3 (s3://bucket[/prefix]) as Alexa does
// from the partner's bucket; S3_ENDPOINT points at a local S3-compatible
// server (fixed local credentials), else the AWS configuration chain.
func s3Catalog(cfg config) (func(context.Context) (*ingest.Catalog, error), error) {
	bucket, prefix, err := s3sink.ParseURL(cfg.catalogS3)
	if err != nil {
		return nil, fmt.Errorf("CATALOG_S3: %w", err)
	}
	awsCfg := aws.Config{Region: cfg.region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	if cfg.s3Endpoint == "" {
		if awsCfg, err = awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(cfg.region)); err != nil {
			return nil, fmt.Errorf("load AWS config: %w", err)
		}
	}
	client := s3sink.NewClient(awsCfg, cfg.s3Endpoint)
	return func(ctx context.Context) (*ingest.Catalog, error) {
		ctx, cancel := context.WithTimeout(ctx, s3IngestTimeout)
		defer cancel()
		return ingest.LoadFS(ctx, s3fs.New(ctx, client, bucket, prefix))
	}, nil
}
