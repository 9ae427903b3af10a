// Command skill is the SkillFunction Lambda: it answers Alexa Video Skill
// API directives and sends the resulting actions to the TV through ADM.
package main

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/uuid"

	"livingroom/internal/account"
	"livingroom/internal/admclient"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/dynamo"
	"livingroom/internal/skill"
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
	index := dynamo.NewCatalog(db, os.Getenv("CATALOG_TABLE"))
	// ADM must answer well inside Alexa's ~8 s budget.
	adm := admclient.New(admclient.Config{
		BaseURL:      cmp.Or(os.Getenv("ADM_ENDPOINT"), "https://api.amazon.com"),
		ClientID:     os.Getenv("ADM_CLIENT_ID"),
		ClientSecret: os.Getenv("ADM_CLIENT_SECRET"),
	}, &http.Client{Timeout: 3 * time.Second}, time.Now)
	h := skill.NewHandler(
		account.NewService(store, time.Now),
		device.NewService(store, adm, time.Now, uuid.NewString),
		catalog.NewResolver(index, cmp.Or(os.Getenv("CATALOG_SOURCE_ID"), "livingroom")),
		uuid.NewString, logger)
	lambda.Start(h)
}
