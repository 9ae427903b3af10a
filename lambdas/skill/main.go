// Command skill is the SkillFunction Lambda: it answers Alexa Video Skill
// API directives and sends the resulting actions to the TV through ADM.
package main

import (
	"cmp"
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
	"livingroom/internal/admclient"
	"livingroom/internal/alexaevents"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/dynamo"
	"livingroom/internal/emf"
	"livingroom/internal/jsonlog"
	"livingroom/internal/lwaclient"
	"livingroom/internal/skill"
	"livingroom/internal/ssmparams"
)

func main() {
	logger := jsonlog.New(os.Stderr, jsonlog.ParseLevel(os.Getenv("AWS_LAMBDA_LOG_LEVEL")))
	// Every outbound call is cut by the directive's budget (its context);
	// the per-attempt timeouts and the retry policy below are derived from
	// it so that the SDK's retries fit inside it: three DynamoDB attempts
	// of at most a quarter of the budget each, with short backoff.
	budget := skill.DefaultBudget
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
	store := dynamo.NewAccounts(db, os.Getenv("ACCOUNTS_TABLE"))
	index := dynamo.NewCatalog(db, os.Getenv("CATALOG_TABLE"))
	// The ADM credentials: ADM_CLIENT_ID / ADM_CLIENT_SECRET locally, or the
	// Parameter Store parameters that ADM_CLIENT_ID_PARAM /
	// ADM_CLIENT_SECRET_PARAM name (template.yaml), read once here.
	creds, err := ssmparams.Resolve(context.Background(), ssmparams.NewClient(cfg), os.Getenv, "ADM_CLIENT_ID", "ADM_CLIENT_SECRET")
	if err != nil {
		logger.Error("read ADM credentials", "err", err)
		os.Exit(1)
	}
	// Delivery receipts from device-push (the real ADM gives none): a TV
	// that is off gets ENDPOINT_UNREACHABLE and never applies the action.
	receiptWait, err := admclient.ParseReceiptWait(os.Getenv("ADM_RECEIPT_WAIT"))
	if err != nil {
		logger.Error("ADM_RECEIPT_WAIT", "err", err)
		os.Exit(1)
	}
	adm := admclient.New(admclient.Config{
		BaseURL:      cmp.Or(os.Getenv("ADM_ENDPOINT"), "https://api.amazon.com"),
		ClientID:     creds["ADM_CLIENT_ID"],
		ClientSecret: creds["ADM_CLIENT_SECRET"],
		ReceiptWait:  receiptWait,
	}, httpClient(budget/2), time.Now)
	// AcceptGrant's code exchange runs inside the directive's budget too.
	amazon := lwaclient.New(lwaclient.Config{
		ClientID: os.Getenv("ALEXA_CLIENT_ID"), ClientSecret: os.Getenv("ALEXA_CLIENT_SECRET"),
		TokenURL: os.Getenv("LWA_TOKEN_URL"), GatewayURL: os.Getenv("EVENT_GATEWAY_URL"),
	}, httpClient(budget/2))
	events := alexaevents.NewService(dynamo.NewGatewayTokens(db, os.Getenv("ACCOUNTS_TABLE")), amazon, amazon, time.Now, uuid.NewString, logger)
	h := skill.NewHandler(skill.Config{
		Accounts: account.NewService(store, time.Now).WithCache(account.DefaultCacheTTL, account.DefaultCacheSize),
		Devices: device.NewService(store, adm, time.Now, uuid.NewString).WithStates(dynamo.NewStates(db, os.Getenv("ACCOUNTS_TABLE"))).
			WithCache(device.DefaultCacheTTL, device.DefaultCacheSize),
		Content: catalog.NewResolver(index, cmp.Or(os.Getenv("CATALOG_SOURCE_ID"), "livingroom")),
		Replies: dynamo.NewReplies(db, os.Getenv("ACCOUNTS_TABLE")),
		Viewing: dynamo.NewViewing(db, os.Getenv("ACCOUNTS_TABLE")),
		Grants:  events,
		NewID:   uuid.NewString,
		Now:     time.Now,
		Logger:  logger,
		Metrics: emf.New(os.Stdout, "skill", time.Now),
		Tag:     jsonlog.With,
		Budget:  budget,
	})
	lambda.Start(traced{skill: h, reporter: hopsReporter(os.Getenv("TRACE_HOPS_BASE")), logger: logger})
}

// httpClient bounds one HTTP attempt; connecting gets a fraction of it so a
// host that does not answer fails fast.
func httpClient(timeout time.Duration) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&net.Dialer{Timeout: timeout / 2, KeepAlive: 30 * time.Second}).DialContext
	transport.ResponseHeaderTimeout = timeout
	transport.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: transport, Timeout: timeout}
}
