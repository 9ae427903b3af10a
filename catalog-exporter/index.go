package main

import (
	"context"
	"errors"

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
	endpoint := getenv("DYNAMODB_ENDPOINT")
	cfg, err := awsConfig(ctx, getenv, endpoint, "us-east-1")
	if err != nil {
		return nil, err
	}
	return dynamo.NewCatalog(dynamo.NewClient(cfg, endpoint), table), nil
}
