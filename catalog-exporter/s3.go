package main

import (
	"cmp"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/s3sink"
)

// newS3Sink builds the S3 sink from the environment. With S3_ENDPOINT (an
// S3-compatible server on this machine) it uses fixed local credentials;
// without it, the usual AWS configuration chain. Amazon's catalog buckets
// are in us-east-1.
func newS3Sink(ctx context.Context, url string, getenv func(string) string) (export.Sink, error) {
	cfg, err := awsConfig(ctx, getenv, getenv("S3_ENDPOINT"), "us-east-1")
	if err != nil {
		return nil, err
	}
	sink, err := s3sink.New(s3sink.NewClient(cfg, getenv("S3_ENDPOINT")), url, 0)
	if err != nil {
		return nil, usageError{fmt.Errorf("--s3: %w", err)}
	}
	return sink, nil
}

// awsConfig is the AWS configuration for a client of endpoint.
func awsConfig(ctx context.Context, getenv func(string) string, endpoint, defaultRegion string) (aws.Config, error) {
	region := cmp.Or(getenv("AWS_REGION"), defaultRegion)
	if endpoint != "" {
		return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}
