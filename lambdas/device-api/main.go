// Command device-api is the DeviceApiFunction Lambda: the HTTP API TV apps
// call to register their device with the partner backend.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/uuid"

	"livingroom/internal/account"
	"livingroom/internal/device"
	"livingroom/internal/deviceapi"
	"livingroom/internal/dynamo"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("load AWS config", "err", err)
		os.Exit(1)
	}
	db := dynamo.NewClient(cfg, os.Getenv("DYNAMODB_ENDPOINT"))
	store := dynamo.NewAccounts(db, os.Getenv("ACCOUNTS_TABLE"))
	accounts := account.NewService(store, time.Now)
	// The device API registers devices; it sends nothing, so no notifier.
	devices := device.NewService(store, nil, time.Now, uuid.NewString).
		WithStates(dynamo.NewStates(db, os.Getenv("ACCOUNTS_TABLE"))).
		WithProgress(dynamo.NewViewing(db, os.Getenv("ACCOUNTS_TABLE")))
	lambda.Start(deviceapi.NewHandler(accounts, devices, logger).Handle)
}
