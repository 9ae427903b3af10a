// Package dynamotest gives adapter tests a real DynamoDB-compatible server:
// the local endpoint from DYNAMODB_TEST_ENDPOINT (dynalite, started by
// `make test`), with uniquely named tables made from internal/tables and
// removed when the test ends.
package dynamotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"livingroom/internal/dynamo"
	"livingroom/internal/tables"
)

// EnvEndpoint names the local server; EnvRequired=1 turns a missing server
// into a failure instead of a skip (CI sets it).
const (
	EnvEndpoint = "DYNAMODB_TEST_ENDPOINT"
	EnvRequired = "DYNAMODB_TEST_REQUIRED"
)

// DB is a client and the names of this test's tables, keyed by the base
// name of the definition ("accounts", "catalog").
type DB struct {
	Client *dynamodb.Client
	Tables map[string]string
}

// Config returns an AWS config for a local endpoint with fixed dummy
// credentials, so no AWS account or profile is needed.
func Config() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
}

// New creates this test's tables on the local server.
func New(t testing.TB) DB {
	t.Helper()
	endpoint := os.Getenv(EnvEndpoint)
	if endpoint == "" {
		if os.Getenv(EnvRequired) == "1" {
			t.Fatalf("%s is not set but %s=1", EnvEndpoint, EnvRequired)
		}
		t.Skipf("%s not set; run through `make test` to use dynalite", EnvEndpoint)
	}
	client := dynamo.NewClient(Config(), endpoint)
	defs, err := tables.Tables()
	if err != nil {
		t.Fatal(err)
	}
	prefix := "test-" + randomHex(6) + "-"
	db := DB{Client: client, Tables: map[string]string{}}
	ctx := context.Background()
	for _, def := range defs {
		name := prefix + def.Name
		if err := dynamo.CreateTable(ctx, client, def, name); err != nil {
			t.Fatal(err)
		}
		db.Tables[def.Name] = name
		t.Cleanup(func() {
			_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		})
	}
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
