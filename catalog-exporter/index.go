package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"livingroom/internal/dynamo"
)

// newIndex builds the DynamoDB catalog index from the environment. With
// DYNAMODB_ENDPOINT (dynalite, DynamoDB Local) it uses fixed dummy
// credentials, so no AWS account is needed; without it, the usual AWS
// configuration chain (env, profile, role).
func newIndex(ctx context.Context, getenv func(string) string) (*dynamo.Catalog, error) {
	table := getenv("CATALOG_TABLE")
	if table == "" {
		return nil, usageError{errors.New("--index needs CATALOG_TABLE")}
	}
	region := getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	endpoint := getenv("DYNAMODB_ENDPOINT")
	var cfg aws.Config
	if endpoint != "" {
		cfg = aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	} else {
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, config.WithRegion(region)); err != nil {
			return nil, fmt.Errorf("load AWS config: %w", err)
		}
	}
	return dynamo.NewCatalog(dynamo.NewClient(cfg, endpoint), table), nil
}
