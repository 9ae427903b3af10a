// Command custom-skill is the CustomSkillFunction Lambda: the Living Room
// custom skill for Echo speakers (logic in internal/customskill), over the
// same account, device, viewing and catalog packages as the video skill.
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
	"livingroom/internal/catalog"
	"livingroom/internal/customskill"
	"livingroom/internal/device"
	"livingroom/internal/dynamo"
	"livingroom/internal/emf"
	"livingroom/internal/jsonlog"
	"livingroom/internal/ssmparams"
)

func main() {
	logger := jsonlog.New(os.Stderr, jsonlog.ParseLevel(os.Getenv("AWS_LAMBDA_LOG_LEVEL")))
	budget := customskill.DefaultBudget
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
	sourceID := cmp.Or(os.Getenv("CATALOG_SOURCE_ID"), "livingroom")
	lambda.Start(customskill.NewHandler(customskill.Config{
		SkillID:  cmp.Or(os.Getenv("ALEXA_SKILL_ID"), customskill.DefaultSkillID),
		SourceID: sourceID,
		Accounts: account.NewService(store, time.Now).WithCache(account.DefaultCacheTTL, account.DefaultCacheSize),
		Devices:  device.NewService(store, adm, time.Now, uuid.NewString).WithStates(dynamo.NewStates(db, os.Getenv("ACCOUNTS_TABLE"))),
		Content:  catalog.NewResolver(dynamo.NewCatalog(db, os.Getenv("CATALOG_TABLE")), sourceID),
		Viewing:  dynamo.NewViewing(db, os.Getenv("ACCOUNTS_TABLE")),
		Logger:   logger,
		Metrics:  emf.New(os.Stdout, "custom-skill", time.Now),
		Tag:      jsonlog.With,
		Budget:   budget,
	}))
}

// httpClient bounds one HTTP attempt; connecting gets a fraction of it.
func httpClient(timeout time.Duration) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&net.Dialer{Timeout: timeout / 2, KeepAlive: 30 * time.Second}).DialContext
	transport.ResponseHeaderTimeout = timeout
	transport.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: transport, Timeout: timeout}
}
