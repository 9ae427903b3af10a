// Package localstack runs the whole Living Room stack on one machine with
// real parts: dynalite for DynamoDB, the Lambdas' bootstrap binaries under
// aws-lambda-rie behind a Lambda Invoke API and an HTTP API (as
// `sam local start-lambda` and `sam local start-api` serve them),
// device-push, alexa-sim and one tvapp-sim. `make run` and the end-to-end
// tests start it through cmd infra/stack.
package localstack

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
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"golang.org/x/sync/errgroup"

	"livingroom/infra/partneroauth"
	"livingroom/infra/samlocal"
	"livingroom/internal/account"
	"livingroom/internal/customskill"
	"livingroom/internal/dynamo"
	tabledefs "livingroom/internal/tables"
	"livingroom/tvapp-sim/fleetid"
)

// Config says where everything listens and where the stack finds its parts.
// Every field has a default (see ConfigFromEnv) overridable by environment.
type Config struct {
	Root   string // repository root: template.yaml, infra/local/node_modules
	BinDir string // built binaries: device-push, tvapp-sim, alexa-sim, catalog-exporter, aws-lambda-rie, lambdas/<fn>/bootstrap
	RunDir string // logs and the exported catalog

	DynamoDBAddr   string
	LambdaAddr     string
	DeviceAPIAddr  string
	DevicePushAddr string
	AlexaSimAddr   string
	TVAppAddr      string
	// S3Addr, when set, serves an S3-compatible API (in memory) there: the
	// exporter publishes to s3://CatalogBucket and alexa-sim ingests from
	// it, as Alexa does from the partner's bucket.
	S3Addr string
	// PartnerAddr serves the partner's OAuth 2.0 account service stand-in
	// (infra/partneroauth) alexa-sim links accounts at; "off": none.
	PartnerAddr string
	// PartnerClientSecret is Alexa's client secret there (client id
	// "alexa"); PartnerAccessTTL the lifetime of its access tokens.
	PartnerClientSecret string
	PartnerAccessTTL    time.Duration

	TablePrefix     string
	ADMClientID     string
	ADMClientSecret string
	DevAccountID    string
	DevToken        string
	Dev2AccountID   string // a second account: on-demand only, no TV
	// AlexaClientID and AlexaClientSecret are the skill's credentials at
	// alexa-sim's Login with Amazon (AcceptGrant, ChangeReports).
	AlexaClientID     string
	AlexaClientSecret string
	Dev2Token         string
	CatalogSourceID   string
	// CustomSkillID is the custom skill's application id: the Lambda
	// refuses requests for any other, and alexa-sim sends it.
	CustomSkillID string

	// FleetAccounts seeds that many fleet accounts (tvapp-sim/fleetid:
	// fleet-account-00001 … with tokens fleet-token-00001 …, plans
	// alternating live-tv-dvr and on-demand) for `tvapp-sim --fleet`.
	FleetAccounts int
	// FleetTVs, when above zero, also runs `tvapp-sim --fleet FleetTVs` at
	// FleetAddr (its accounts are seeded: FleetAccounts is raised to it).
	FleetTVs  int
	FleetAddr string
}

// maxFleet bounds FLEET_TVS and FLEET_ACCOUNTS.
const maxFleet = fleetid.MaxSize

// ConfigFromEnv reads the configuration, defaulting every value.
func ConfigFromEnv(getenv func(string) string) Config {
	root := cmp.Or(getenv("LIVINGROOM_ROOT"), ".")
	return Config{
		Root:                root,
		BinDir:              cmp.Or(getenv("LIVINGROOM_BIN"), filepath.Join(root, "bin")),
		RunDir:              cmp.Or(getenv("LIVINGROOM_RUN_DIR"), filepath.Join(root, ".run")),
		DynamoDBAddr:        cmp.Or(getenv("DYNAMODB_ADDR"), "127.0.0.1:8000"),
		LambdaAddr:          cmp.Or(getenv("LAMBDA_ADDR"), "127.0.0.1:3001"),
		DeviceAPIAddr:       cmp.Or(getenv("DEVICE_API_ADDR"), "127.0.0.1:3000"),
		DevicePushAddr:      cmp.Or(getenv("DEVICE_PUSH_ADDR"), "127.0.0.1:8200"),
		AlexaSimAddr:        cmp.Or(getenv("ALEXA_SIM_ADDR"), "127.0.0.1:8300"),
		TVAppAddr:           cmp.Or(getenv("TVAPP_ADDR"), "127.0.0.1:8400"),
		S3Addr:              getenv("S3_ADDR"),
		PartnerAddr:         cmp.Or(getenv("PARTNER_ADDR"), "127.0.0.1:8600"),
		PartnerClientSecret: cmp.Or(getenv("PARTNER_OAUTH_CLIENT_SECRET"), partneroauth.DefaultClientSecret),
		PartnerAccessTTL:    durationOr(getenv("PARTNER_ACCESS_TTL"), partneroauth.DefaultAccessTTL),
		TablePrefix:         cmp.Or(getenv("TABLE_PREFIX"), "livingroom-"),
		ADMClientID:         cmp.Or(getenv("ADM_CLIENT_ID"), "dev-client"),
		ADMClientSecret:     cmp.Or(getenv("ADM_CLIENT_SECRET"), "dev-secret"),
		DevAccountID:        cmp.Or(getenv("DEV_ACCOUNT_ID"), "dev-account"),
		DevToken:            cmp.Or(getenv("DEV_ACCOUNT_TOKEN"), "dev-token"),
		Dev2AccountID:       cmp.Or(getenv("DEV_ACCOUNT_2_ID"), "dev-account-2"),
		Dev2Token:           cmp.Or(getenv("DEV_ACCOUNT_2_TOKEN"), "dev-token-2"),
		AlexaClientID:       cmp.Or(getenv("ALEXA_CLIENT_ID"), "alexa-sim-skill"),
		CustomSkillID:       cmp.Or(getenv("ALEXA_SKILL_ID"), customskill.DefaultSkillID),
		AlexaClientSecret:   cmp.Or(getenv("ALEXA_CLIENT_SECRET"), "alexa-sim-secret"),
		CatalogSourceID:     cmp.Or(getenv("CATALOG_SOURCE_ID"), "livingroom"),
		FleetAccounts:       atoiBounded(getenv("FLEET_ACCOUNTS"), maxFleet),
		FleetTVs:            atoiBounded(getenv("FLEET_TVS"), maxFleet),
		FleetAddr:           cmp.Or(getenv("FLEET_ADDR"), "127.0.0.1:8401"),
	}
}

// durationOr reads a positive duration, else def.
func durationOr(s string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return def
	}
	return d
}

// partnerOn says whether the partner's OAuth stand-in runs.
func (c Config) partnerOn() bool { return c.PartnerAddr != "" && c.PartnerAddr != "off" }

// atoiBounded reads a count in 0…limit; anything else is 0 (off).
func atoiBounded(s string, limit int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > limit {
		return 0
	}
	return n
}

// Stack is a running local stack.
type Stack struct {
	cfg      Config
	logger   *slog.Logger
	procs    []*process // ran once (the catalog export)
	services []*service // kept up: restarted when they exit
	servers  []*http.Server
	emus     []*samlocal.Emulator
	crashed  chan *process
	restart  restartPolicy
	stopping chan struct{} // closed when Stop begins: no more restarts
	stopOnce sync.Once
	watchers sync.WaitGroup
}

// Start brings the stack up in dependency order and returns once the TV has
// registered, or an error after stopping whatever had started.
func Start(ctx context.Context, cfg Config, logger *slog.Logger) (*Stack, error) {
	s := newStack(cfg, logger, defaultRestartPolicy)
	if err := s.start(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func newStack(cfg Config, logger *slog.Logger, restart restartPolicy) *Stack {
	return &Stack{cfg: cfg, logger: logger, crashed: make(chan *process, 16), restart: restart, stopping: make(chan struct{})}
}

func (s *Stack) start(ctx context.Context) error {
	// Children run in other working directories: make every path absolute.
	for _, p := range []*string{&s.cfg.Root, &s.cfg.BinDir, &s.cfg.RunDir} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return fmt.Errorf("resolve %s: %w", *p, err)
		}
		*p = abs
	}
	cfg := s.cfg
	if err := portsFree(cfg); err != nil {
		return err
	}
	logs := filepath.Join(cfg.RunDir, "logs")
	catalogDir := filepath.Join(cfg.RunDir, "catalog")
	// device-push keeps its NATS JetStream here: what it accepted survives
	// its crash and restart within a run; a new run starts empty, as
	// DynamoDB does.
	devicePushData := filepath.Join(cfg.RunDir, "device-push")
	// DynamoDB starts empty every time, so the exporter must not diff against
	// the last run's snapshot: it would index nothing ("0 works put").
	for _, dir := range []string{catalogDir, filepath.Join(cfg.RunDir, "catalog-state"), devicePushData} {
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clear %s: %w", dir, err)
		}
	}
	for _, dir := range []string{logs, catalogDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	dynamoURL := "http://" + cfg.DynamoDBAddr
	tables := map[string]string{"accounts": cfg.TablePrefix + "accounts", "catalog": cfg.TablePrefix + "catalog"}
	awsEnv := map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
		"DYNAMODB_ENDPOINT": dynamoURL, "ACCOUNTS_TABLE": tables["accounts"], "CATALOG_TABLE": tables["catalog"],
		// Login with Amazon and the event gateway are alexa-sim's.
		"LWA_TOKEN_URL": "http://" + cfg.AlexaSimAddr + "/auth/o2/token", "EVENT_GATEWAY_URL": "http://" + cfg.AlexaSimAddr + "/v3/events",
		"ALEXA_CLIENT_ID": cfg.AlexaClientID, "ALEXA_CLIENT_SECRET": cfg.AlexaClientSecret,
	}

	// 1. DynamoDB: dynalite, in memory, so every start is fresh and seeded
	// (and so is a restart: the TV registers again, see the README).
	host, port, err := net.SplitHostPort(cfg.DynamoDBAddr)
	if err != nil {
		return fmt.Errorf("DYNAMODB_ADDR %q: %w", cfg.DynamoDBAddr, err)
	}
	if err := s.supervise(ctx, &service{name: "dynalite", path: "node", args: []string{
		filepath.Join(cfg.Root, "infra/local/node_modules/dynalite/cli.js"), "--host", host, "--port", port,
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0",
	}, ready: tcpReady(cfg.DynamoDBAddr), restarted: func(ctx context.Context) error {
		return s.seed(ctx, dynamoURL, tables)
	}}); err != nil {
		return err
	}
	if err := s.seed(ctx, dynamoURL, tables); err != nil {
		return err
	}

	// 2. The catalog: CDF files for alexa-sim and the index for the skill,
	// in a directory or, with S3_ADDR, in a local bucket.
	exporterArgs, exporterEnv, catalogEnv := []string{"--out", catalogDir, "--index"}, awsEnv, map[string]string{"CATALOG_DIR": catalogDir}
	if cfg.S3Addr != "" {
		if err := s.serveS3(cfg.S3Addr); err != nil {
			return err
		}
		s3env := map[string]string{"S3_ENDPOINT": "http://" + cfg.S3Addr}
		exporterArgs = []string{"--s3", "s3://" + CatalogBucket, "--state", filepath.Join(cfg.RunDir, "catalog-state"), "--index"}
		exporterEnv = merge(awsEnv, s3env)
		catalogEnv = merge(s3env, map[string]string{"CATALOG_S3": "s3://" + CatalogBucket})
	}
	// The custom skill's interaction model, its CATALOG_TITLE slot type
	// filled from this catalog, is what alexa-sim understands "ask Living
	// Room …" with (a copy: the one in the repository stays as shipped).
	interactionModel := filepath.Join(cfg.RunDir, "interaction-model.json")
	if err := copyFile(filepath.Join(cfg.Root, "lambdas/custom-skill/interaction-model.json"), interactionModel); err != nil {
		return err
	}
	exporterArgs = append(exporterArgs, "--interaction-model", interactionModel)
	exporter, err := s.spawnOnce("catalog-exporter", filepath.Join(cfg.BinDir, "catalog-exporter"), exporterArgs, exporterEnv)
	if err != nil {
		return err
	}
	select {
	case <-exporter.exited():
		if exporter.err != nil {
			return fmt.Errorf("catalog-exporter failed (%v); log %s:\n%s", exporter.err, exporter.log, exporter.tail(2000))
		}
	case <-ctx.Done():
		return ctx.Err()
	}

	// 3. device-push.
	if err := s.supervise(ctx, &service{name: "device-push", path: filepath.Join(cfg.BinDir, "device-push"), env: map[string]string{
		"DEVICE_PUSH_ADDR": cfg.DevicePushAddr, "ADM_CLIENT_ID": cfg.ADMClientID, "ADM_CLIENT_SECRET": cfg.ADMClientSecret,
		"DEVICE_PUSH_DATA_DIR": devicePushData,
	}, ready: httpReady("http://" + cfg.DevicePushAddr + "/healthz")}); err != nil {
		return err
	}

	// 4. The Lambdas under the emulator, behind the Lambda and HTTP APIs.
	skillEnv := merge(awsEnv, map[string]string{
		"ADM_ENDPOINT": "http://" + cfg.DevicePushAddr, "ADM_CLIENT_ID": cfg.ADMClientID,
		"ADM_CLIENT_SECRET": cfg.ADMClientSecret, "CATALOG_SOURCE_ID": cfg.CatalogSourceID,
		// The skill reports each directive's steps to alexa-sim's traces.
		"TRACE_HOPS_BASE": "http://" + cfg.AlexaSimAddr + "/v1/traces/",
	})
	skill, err := s.emulator(ctx, "SkillFunction", "skill", skillEnv)
	if err != nil {
		return err
	}
	deviceAPI, err := s.emulator(ctx, "DeviceApiFunction", "device-api", awsEnv)
	if err != nil {
		return err
	}
	customSkill, err := s.emulator(ctx, "CustomSkillFunction", "custom-skill", merge(awsEnv, map[string]string{
		"ADM_ENDPOINT": "http://" + cfg.DevicePushAddr, "ADM_CLIENT_ID": cfg.ADMClientID,
		"ADM_CLIENT_SECRET": cfg.ADMClientSecret, "CATALOG_SOURCE_ID": cfg.CatalogSourceID, "ALEXA_SKILL_ID": cfg.CustomSkillID,
	}))
	if err != nil {
		return err
	}
	functions := map[string]samlocal.Invoker{"SkillFunction": skill, "DeviceApiFunction": deviceAPI, "CustomSkillFunction": customSkill}
	if err := s.serve(cfg.LambdaAddr, samlocal.NewLambdaAPI(functions, s.logger)); err != nil {
		return err
	}
	routes, err := samlocal.LoadRoutes(filepath.Join(cfg.Root, "template.yaml"))
	if err != nil {
		return err
	}
	httpAPI, err := samlocal.NewHTTPAPI(routes, functions, s.logger)
	if err != nil {
		return err
	}
	if err := s.serve(cfg.DeviceAPIAddr, httpAPI); err != nil {
		return err
	}

	// 5. The partner's account service (OAuth 2.0): alexa-sim links
	// accounts at it, and it writes their tokens to the accounts table.
	alexaEnv := merge(catalogEnv, map[string]string{
		"ALEXA_SIM_ADDR": cfg.AlexaSimAddr, "LAMBDA_ENDPOINT": "http://" + cfg.LambdaAddr, "CATALOG_SOURCE_ID": cfg.CatalogSourceID,
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
		"CUSTOM_SKILL_MODEL": interactionModel, "ALEXA_SKILL_ID": cfg.CustomSkillID,
	})
	if cfg.partnerOn() {
		partner := partneroauth.New(partneroauth.Config{
			ClientSecret: cfg.PartnerClientSecret, AccessTTL: cfg.PartnerAccessTTL, Logger: s.logger,
			RedirectURIs: []string{"http://" + cfg.AlexaSimAddr + "/v1/accounts/link/callback"},
			Accounts:     dynamo.NewAccounts(dynamo.NewClient(localAWSConfig(), dynamoURL), tables["accounts"]),
		})
		if err := s.serve(cfg.PartnerAddr, partner); err != nil {
			return err
		}
		alexaEnv = merge(alexaEnv, map[string]string{
			"PARTNER_OAUTH_AUTHORIZE_URL": "http://" + cfg.PartnerAddr + "/oauth/authorize",
			"PARTNER_OAUTH_TOKEN_URL":     "http://" + cfg.PartnerAddr + "/oauth/token",
			"PARTNER_OAUTH_CLIENT_ID":     partneroauth.DefaultClientID, "PARTNER_OAUTH_CLIENT_SECRET": cfg.PartnerClientSecret,
		})
	}

	// 6. alexa-sim, then the TV, which registers with both.
	if err := s.supervise(ctx, &service{name: "alexa-sim", path: filepath.Join(cfg.BinDir, "alexa-sim"), env: alexaEnv,
		ready: httpReady("http://" + cfg.AlexaSimAddr + "/healthz")}); err != nil {
		return err
	}
	if err := s.supervise(ctx, &service{name: "tvapp-sim", path: filepath.Join(cfg.BinDir, "tvapp-sim"), env: map[string]string{
		"TVAPP_ADDR": cfg.TVAppAddr, "DEVICE_PUSH_URL": "http://" + cfg.DevicePushAddr,
		"DEVICE_API_URL": "http://" + cfg.DeviceAPIAddr, "ALEXA_SIM_URL": "http://" + cfg.AlexaSimAddr,
		"TVAPP_ACCOUNT_TOKEN": cfg.DevToken,
	}, ready: httpReady("http://" + cfg.TVAppAddr + "/healthz")}); err != nil {
		return err
	}
	if cfg.FleetTVs == 0 {
		return nil
	}
	// 7. The fleet: ready once its first TV registered; the others follow
	// in a ramp (GET /v1/fleet counts them).
	return s.supervise(ctx, &service{name: "tvapp-sim-fleet", path: filepath.Join(cfg.BinDir, "tvapp-sim"), args: []string{"--fleet", strconv.Itoa(cfg.FleetTVs)}, env: map[string]string{
		"TVAPP_ADDR": cfg.FleetAddr, "DEVICE_PUSH_URL": "http://" + cfg.DevicePushAddr,
		"DEVICE_API_URL": "http://" + cfg.DeviceAPIAddr, "ALEXA_SIM_URL": "http://" + cfg.AlexaSimAddr,
	}, ready: httpReady("http://" + cfg.FleetAddr + "/healthz")})
}

// seed creates the tables and the development account.
func (s *Stack) seed(ctx context.Context, endpoint string, tables map[string]string) error {
	client := dynamo.NewClient(localAWSConfig(), endpoint)
	defs, err := tabledefs.Tables()
	if err != nil {
		return err
	}
	for _, def := range defs {
		if err := dynamo.CreateTable(ctx, client, def, tables[def.Name]); err != nil {
			return err
		}
	}
	accounts := account.NewService(dynamo.NewAccounts(client, tables["accounts"]), time.Now)
	seeds := []struct {
		account account.Account
		token   string
	}{
		{account.Account{ID: s.cfg.DevAccountID, Name: "Developer", Plan: account.PlanLiveTVDVR}, s.cfg.DevToken},
		{account.Account{ID: s.cfg.Dev2AccountID, Name: "Second developer", Plan: account.PlanOnDemand}, s.cfg.Dev2Token},
	}
	for _, seed := range seeds {
		if err := accounts.Create(ctx, seed.account, seed.token, 365*24*time.Hour); err != nil {
			return fmt.Errorf("seed development account %s: %w", seed.account.ID, err)
		}
	}
	return seedFleet(ctx, accounts, max(s.cfg.FleetAccounts, s.cfg.FleetTVs))
}

// seedFleet creates the fleet's accounts, a few at a time.
func seedFleet(ctx context.Context, accounts *account.Service, n int) error {
	if n == 0 {
		return nil
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i := 1; i <= n; i++ {
		id := fleetid.For(i, fleetid.DefaultTokenPrefix)
		g.Go(func() error {
			a := account.Account{ID: id.AccountID, Name: id.FriendlyName, Plan: id.Plan}
			if err := accounts.Create(ctx, a, id.Token, 365*24*time.Hour); err != nil {
				return fmt.Errorf("seed fleet account %s: %w", id.AccountID, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// spawnOnce starts a process that is expected to exit by itself.
func (s *Stack) spawnOnce(name, path string, args []string, env map[string]string) (*process, error) {
	p, err := startProcess(name, path, args, env, filepath.Join(s.cfg.RunDir, "logs", name+".log"), false)
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, p)
	return p, nil
}

func (s *Stack) emulator(ctx context.Context, name, dir string, env map[string]string) (*samlocal.Emulator, error) {
	logFile, err := os.Create(filepath.Join(s.cfg.RunDir, "logs", name+".log"))
	if err != nil {
		return nil, fmt.Errorf("log for %s: %w", name, err)
	}
	e, err := samlocal.Start(ctx, samlocal.EmulatorConfig{
		Name: name, RIEPath: filepath.Join(s.cfg.BinDir, "aws-lambda-rie"),
		Bootstrap: filepath.Join(s.cfg.BinDir, "lambdas", dir, "bootstrap"),
		Env:       env, Timeout: 8 * time.Second, Stdout: logFile, Stderr: logFile, Logger: s.logger,
	})
	if err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s.emus = append(s.emus, e)
	return e, nil
}

func (s *Stack) serve(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("server stopped", "addr", addr, "err", err)
		}
	}()
	return nil
}

// CatalogBucket is the local stand-in for Amazon's catalog bucket.
const CatalogBucket = "livingroom-catalog"

// serveS3 serves an in-memory S3-compatible API with CatalogBucket.
func (s *Stack) serveS3(addr string) error {
	backend := s3mem.New()
	if err := backend.CreateBucket(CatalogBucket); err != nil {
		return fmt.Errorf("create bucket %s: %w", CatalogBucket, err)
	}
	return s.serve(addr, gofakes3.New(backend).Server())
}

// Crashed reports a service that kept exiting however often it was
// restarted (see restartPolicy), after which the stack should stop.
func (s *Stack) Crashed() <-chan *process { return s.crashed }

// Describe says what a crashed process was and where its log is.
func Describe(p *process) string {
	return fmt.Sprintf("%s exited (%v); last lines of %s:\n%s", p.name, p.err, p.log, p.tail(2000))
}

// Stop stops everything in reverse start order and waits for it.
func (s *Stack) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.stopOnce.Do(func() { close(s.stopping) })
	var dynalite *service
	for i := len(s.services) - 1; i >= 0; i-- {
		if s.services[i].name == "dynalite" {
			dynalite = s.services[i] // last, after the servers that use it
			continue
		}
		s.services[i].stop(5 * time.Second)
	}
	for _, p := range s.procs {
		p.stop(5 * time.Second)
	}
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	for _, e := range s.emus {
		e.Stop()
	}
	if dynalite != nil {
		dynalite.stop(5 * time.Second)
	}
	s.watchers.Wait()
}

// Banner tells the user how to talk to the stack.
func (s *Stack) Banner(w io.Writer, took time.Duration) {
	c := s.cfg
	fmt.Fprintf(w, `
Living Room is running (ready in %.1fs). Logs: %s

  TV screen (tvapp-sim)    http://%s/            state: http://%s/v1/state
  Alexa (alexa-sim)        http://%s/v1/say      endpoints: http://%s/v1/endpoints
  Lambda invoke API        http://%s             (SkillFunction, DeviceApiFunction, CustomSkillFunction)
  Device API (HTTP API)    http://%s/v1/devices
  device-push (ADM API)    http://%s             client %s / %s
  DynamoDB (dynalite)      http://%s             tables %saccounts, %scatalog
  Development account      %s, bearer token %s (plan live-tv-dvr, owns the TV)
  Second account           %s, bearer token %s (plan on-demand, no TV)

Try:
  curl -s localhost:%s/v1/say -d '{"utterance":"watch The Handmaid'\''s Tale"}'
  curl -s localhost:%s/v1/say -d '{"utterance":"pause"}'
  curl -s localhost:%s/v1/state

Press Ctrl-C to stop everything.
`, took.Seconds(), filepath.Join(c.RunDir, "logs"),
		c.TVAppAddr, c.TVAppAddr, c.AlexaSimAddr, c.AlexaSimAddr, c.LambdaAddr, c.DeviceAPIAddr,
		c.DevicePushAddr, c.ADMClientID, c.ADMClientSecret, c.DynamoDBAddr, c.TablePrefix, c.TablePrefix,
		c.DevAccountID, c.DevToken, c.Dev2AccountID, c.Dev2Token, portOf(c.AlexaSimAddr), portOf(c.AlexaSimAddr), portOf(c.TVAppAddr))
	if c.FleetTVs > 0 {
		fmt.Fprintf(w, "Fleet: %d TVs (tvapp-sim --fleet) at http://%s/v1/fleet; accounts fleet-account-00001… tokens fleet-token-00001…\n", c.FleetTVs, c.FleetAddr)
	}
	if c.partnerOn() {
		fmt.Fprintf(w, "Link a new account: open http://%s/v1/accounts/link/start (the partner's sign-in at http://%s; a new name creates an account)\n", c.AlexaSimAddr, c.PartnerAddr)
	}
	if c.S3Addr != "" {
		fmt.Fprintf(w, "The catalog is in S3 (in memory): http://%s/%s (catalogs/, pages/, manifests/, ember/)\n", c.S3Addr, CatalogBucket)
	}
}

// portsFree checks every address before anything starts: a readiness check
// would otherwise be answered by whatever already listens there (another
// stack), and this one would seed and use that stack's services.
func portsFree(c Config) error {
	for _, a := range []struct{ env, addr string }{
		{"DYNAMODB_ADDR", c.DynamoDBAddr}, {"LAMBDA_ADDR", c.LambdaAddr}, {"DEVICE_API_ADDR", c.DeviceAPIAddr},
		{"DEVICE_PUSH_ADDR", c.DevicePushAddr}, {"ALEXA_SIM_ADDR", c.AlexaSimAddr}, {"TVAPP_ADDR", c.TVAppAddr},
		{"S3_ADDR", c.S3Addr}, {"FLEET_ADDR", fleetAddr(c)}, {"PARTNER_ADDR", partnerAddr(c)},
	} {
		if a.addr == "" {
			continue // optional service, off
		}
		ln, err := net.Listen("tcp", a.addr)
		if err != nil {
			return fmt.Errorf("%s %s is not free (is another stack running?); set %s to use another address: %w", a.env, a.addr, a.env, err)
		}
		ln.Close()
	}
	return nil
}

// partnerAddr is where the partner's OAuth stand-in listens, "" when off.
func partnerAddr(c Config) string {
	if !c.partnerOn() {
		return ""
	}
	return c.PartnerAddr
}

// fleetAddr is where the fleet listens, "" when there is none.
func fleetAddr(c Config) string {
	if c.FleetTVs == 0 {
		return ""
	}
	return c.FleetAddr
}

func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return port
}

func merge(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// copyFile copies src to dst (replacing it).
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	return nil
}
