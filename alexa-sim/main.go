// Command alexa-sim stands in for the Alexa cloud on one machine: it ingests
// the CDF catalog, keeps the endpoints apps register through its event
// gateway, turns typed utterances into directives and invokes the skill
// Lambda with them.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/google/uuid"

	"livingroom/alexa-sim/askskill"
	"livingroom/alexa-sim/gateway"
	"livingroom/alexa-sim/ingest"
	"livingroom/alexa-sim/invoke"
	"livingroom/alexa-sim/linking"
	"livingroom/alexa-sim/lwa"
	"livingroom/alexa-sim/nlu"
	"livingroom/alexa-sim/server"
	"livingroom/internal/customskill"
)

// changeReportsKept bounds the ChangeReports kept for inspection.
const changeReportsKept = 100

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "alexa-sim:", err)
		os.Exit(1)
	}
}

type config struct {
	addr           string
	lambdaEndpoint string
	function       string
	region         string
	catalogDir     string
	catalogS3      string // s3://bucket[/prefix]: ingest from the bucket instead of catalogDir
	s3Endpoint     string
	sourceID       string
	schemaPath     string
	clientID       string
	clientSecret   string
	partner        partnerOAuth
	// The custom skill: its interaction model ("" turns it off), function
	// and application id.
	customSkillModel, customSkillFunction, customSkillID string
}

// partnerOAuth is the partner's OAuth 2.0 service, for account linking.
type partnerOAuth struct {
	authorizeURL, tokenURL, clientID, clientSecret, scope string
}

func loadConfig(getenv func(string) string) config {
	return config{
		addr:                cmp.Or(getenv("ALEXA_SIM_ADDR"), "127.0.0.1:8300"),
		lambdaEndpoint:      cmp.Or(getenv("LAMBDA_ENDPOINT"), "http://127.0.0.1:3001"),
		function:            cmp.Or(getenv("SKILL_FUNCTION"), "SkillFunction"),
		region:              cmp.Or(getenv("AWS_REGION"), "us-east-1"),
		catalogDir:          cmp.Or(getenv("CATALOG_DIR"), ".run/catalog"),
		catalogS3:           getenv("CATALOG_S3"),
		s3Endpoint:          getenv("S3_ENDPOINT"),
		sourceID:            cmp.Or(getenv("CATALOG_SOURCE_ID"), "livingroom"),
		schemaPath:          cmp.Or(getenv("ALEXA_SCHEMA"), findSchema()),
		clientID:            cmp.Or(getenv("ALEXA_CLIENT_ID"), "alexa-sim-skill"),
		clientSecret:        cmp.Or(getenv("ALEXA_CLIENT_SECRET"), "alexa-sim-secret"),
		customSkillModel:    getenv("CUSTOM_SKILL_MODEL"),
		customSkillFunction: cmp.Or(getenv("CUSTOM_SKILL_FUNCTION"), "CustomSkillFunction"),
		customSkillID:       cmp.Or(getenv("ALEXA_SKILL_ID"), customskill.DefaultSkillID),
		partner: partnerOAuth{
			authorizeURL: getenv("PARTNER_OAUTH_AUTHORIZE_URL"),
			tokenURL:     getenv("PARTNER_OAUTH_TOKEN_URL"),
			clientID:     cmp.Or(getenv("PARTNER_OAUTH_CLIENT_ID"), "alexa"),
			clientSecret: getenv("PARTNER_OAUTH_CLIENT_SECRET"),
			scope:        getenv("PARTNER_OAUTH_SCOPE"),
		},
	}
}

// schemaRel is where the official Alexa message schema sits in the
// reference folder beside a development checkout; a plain clone has none.
const schemaRel = "shared/alexa/schema/alexa_smart_home_message_schema.json"

// findSchema looks for the schema beside the working directory or any
// parent; "" when there is none.
func findSchema() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		for _, p := range []string{filepath.Join(dir, schemaRel), filepath.Join(dir, "..", schemaRel)} {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := loadConfig(getenv)
	log := slog.New(slog.NewTextHandler(stderr, nil))

	invoker, err := invoke.New(invoke.Config{
		Endpoint: cfg.lambdaEndpoint, Function: cfg.function, Region: cfg.region, Timeout: 10 * time.Second,
	})
	if err != nil {
		return err
	}
	loadCatalog := func(ctx context.Context) (*ingest.Catalog, error) { return ingest.LoadDir(ctx, cfg.catalogDir) }
	source := "dir " + cfg.catalogDir
	if cfg.catalogS3 != "" {
		source = cfg.catalogS3
		if loadCatalog, err = s3Catalog(cfg); err != nil {
			return err
		}
	}
	var validator gateway.Validator
	if cfg.schemaPath != "" {
		v, err := gateway.LoadSchema(cfg.schemaPath)
		if err != nil {
			return err
		}
		validator = v
		log.Info("event gateway validates against the official Alexa schema", "schema", cfg.schemaPath)
	} else {
		log.Warn("official Alexa schema not found: the event gateway applies its own rules only; set ALEXA_SCHEMA to validate against it")
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ids := nlu.RandomIDs()
	baseURL := "http://" + ln.Addr().String()
	p := cfg.partner
	linker := linking.New(linking.Config{
		AuthorizeURL: p.authorizeURL, TokenURL: p.tokenURL, ClientID: p.clientID, ClientSecret: p.clientSecret, Scope: p.scope,
		RedirectURL: baseURL + "/v1/accounts/link/callback", Now: time.Now,
	})
	if !linker.Enabled() {
		log.Info("account linking is off: set PARTNER_OAUTH_AUTHORIZE_URL and PARTNER_OAUTH_TOKEN_URL to link accounts at the partner")
	}
	conversation, customInvoker, err := customSkill(cfg)
	if err != nil {
		return err
	}
	if conversation == nil {
		log.Info("custom skill is off: set CUSTOM_SKILL_MODEL to its interaction model to route \"ask Living Room …\" to it")
	}
	srv := server.New(server.Config{
		Logger:             log,
		Registry:           gateway.NewRegistry(time.Now, changeReportsKept),
		Parser:             nlu.New(cfg.sourceID),
		Invoker:            invoker,
		LoadCatalog:        loadCatalog,
		CatalogSource:      source,
		IDs:                ids,
		Now:                time.Now,
		Validator:          validator,
		BaseURL:            baseURL,
		Linker:             linker,
		CustomSkill:        conversation,
		CustomSkillInvoker: customInvoker,
		LWA:                lwa.New(lwa.Config{ClientID: cfg.clientID, ClientSecret: cfg.clientSecret, Now: time.Now, Logger: log}),
	})
	// A bad feed should not stop local work: serve empty and let the
	// developer fix it and POST /v1/catalog/reload.
	if _, err := srv.Reload(ctx); err != nil {
		log.Error("catalog not ingested; serving an empty catalog", "dir", cfg.catalogDir, "err", err)
	}

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	log.Info("alexa-sim started", "addr", ln.Addr().String(), "lambda", cfg.lambdaEndpoint, "function", cfg.function,
		"catalogDir", cfg.catalogDir, "catalogS3", cfg.catalogS3, "sourceId", cfg.sourceID)
	fmt.Fprintf(stdout, "alexa-sim listening on http://%s\n", ln.Addr())

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// customSkill is the custom skill's conversation and function; nil when
// no interaction model is configured.
func customSkill(cfg config) (*askskill.Conversation, server.Invoker, error) {
	if cfg.customSkillModel == "" {
		return nil, nil, nil
	}
	model, err := askskill.LoadModel(cfg.customSkillModel)
	if err != nil {
		return nil, nil, err
	}
	invoker, err := invoke.New(invoke.Config{
		Endpoint: cfg.lambdaEndpoint, Function: cfg.customSkillFunction, Region: cfg.region, Timeout: 10 * time.Second,
	})
	if err != nil {
		return nil, nil, err
	}
	return askskill.NewConversation(askskill.Config{Model: model, SkillID: cfg.customSkillID, Now: time.Now, NewID: uuid.NewString}), invoker, nil
}
