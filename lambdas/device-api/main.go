// Command device-api is the DeviceApiFunction Lambda: the HTTP API TV apps
// call to register their device with the partner backend and to report
// their state, which it keeps and reports to Alexa as ChangeReports.
package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/uuid"

	"livingroom/internal/account"
	"livingroom/internal/alexaevents"
	"livingroom/internal/device"
	"livingroom/internal/deviceapi"
	"livingroom/internal/dynamo"
	"livingroom/internal/emf"
	"livingroom/internal/jsonlog"
	"livingroom/internal/lwaclient"
)

func main() {
	logger := jsonlog.New(os.Stderr, jsonlog.ParseLevel(os.Getenv("AWS_LAMBDA_LOG_LEVEL")))
	// One budget per request bounds every call: DynamoDB attempts get a
	// quarter of it (three, with short backoff), the event gateway half.
	budget := deviceapi.DefaultBudget
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithHTTPClient(httpClient(budget/4)),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.MaxBackoff = budget / 16
			})
		}))
	if err != nil {
		logger.Error("load AWS config", "err", err)
		os.Exit(1)
	}
	db := dynamo.NewClient(cfg, os.Getenv("DYNAMODB_ENDPOINT"))
	table := os.Getenv("ACCOUNTS_TABLE")
	store := dynamo.NewAccounts(db, table)
	accounts := account.NewService(store, time.Now).WithCache(account.DefaultCacheTTL, account.DefaultCacheSize)
	amazon := lwaclient.New(lwaclient.Config{
		ClientID: os.Getenv("ALEXA_CLIENT_ID"), ClientSecret: os.Getenv("ALEXA_CLIENT_SECRET"),
		TokenURL: os.Getenv("LWA_TOKEN_URL"), GatewayURL: os.Getenv("EVENT_GATEWAY_URL"),
	}, httpClient(budget/2))
	events := alexaevents.NewService(dynamo.NewGatewayTokens(db, table), amazon, amazon, time.Now, uuid.NewString, logger)
	// The device API sends no actions, so no notifier.
	devices := device.NewService(store, nil, time.Now, uuid.NewString).
		WithStates(dynamo.NewStates(db, table)).
		WithProgress(dynamo.NewViewing(db, table)).
		WithChanges(events)
	lambda.Start(deviceapi.NewHandler(accounts, devices, logger).WithBudget(budget).
		WithObservability(emf.New(os.Stdout, "device-api", time.Now), jsonlog.With, time.Now).Handle)
}

// httpClient bounds one HTTP attempt.
func httpClient(timeout time.Duration) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&net.Dialer{Timeout: timeout / 2, KeepAlive: 30 * time.Second}).DialContext
	transport.ResponseHeaderTimeout = timeout
	return &http.Client{Transport: transport, Timeout: timeout}
}
