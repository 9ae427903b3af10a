package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"livingroom/device-push/loadtest"
	"livingroom/infra/samlocal"
)

// allSteps is every measurement in table order. The timeouts add up to
// more than the 10-minute budget on purpose: they are ceilings for a slow
// box, and the run's own deadline marks whatever no longer fits.
func allSteps() []step {
	return []step{
		goBenchStep("skill", "skill handler: one SearchAndPlay by title (internal/skill, in-memory stores)",
			"./internal/skill", "SearchAndPlay", "20000x", 90*time.Second, skillRow),
		goBenchStep("customskill", "custom skill handler: \"what's playing\" (internal/customskill, in-memory stores)",
			"./internal/customskill", "Invoke", "20000x", 60*time.Second, customSkillRow),
		goBenchStep("nlu", "alexa-sim/nlu: parse + resolve a 10-word utterance, 120,000-work catalog",
			"./alexa-sim/nlu", "Parse", "20000x", 120*time.Second, nluRow),
		{name: "coldstart", timeout: 60 * time.Second, figure: "Lambda cold start under aws-lambda-rie",
			command: "go run ./infra/bench -only coldstart", run: coldStart},
		{name: "size", timeout: 180 * time.Second, figure: "Lambda binary size (linux/arm64 bootstrap)",
			command: "make build-SkillFunction ARTIFACTS_DIR=DIR", run: binarySizes},
		{name: "voice", timeout: 180 * time.Second, figure: "voice → TV (e2e BenchmarkVoiceToTV, real local stack)",
			command: "LIVINGROOM_BIN=$PWD/bin go test -run '^$' -bench VoiceToTV ./e2e/", run: voiceToTV},
		{name: "catalog", timeout: 90 * time.Second, figure: "catalog export (synthetic catalog, CDF to a directory)",
			command: "bin/catalog-exporter --synthetic N --out DIR", run: catalogExport},
		{name: "push", timeout: 240 * time.Second, figure: "device-push beside Centrifugo (pushload)",
			command: "device-push/loadtest/side-by-side.sh", run: pushSideBySide},
		{name: "fleet", timeout: 150 * time.Second, figure: "fleet memory (tvapp-sim --fleet, each TV given a command)",
			command: "FLEET_TVS=N bin/stack; bin/fleetload", run: fleetMemory},
	}
}

// ---- go test -bench ----

func goBenchStep(name, figure, pkg, bench, benchtime string, timeout time.Duration,
	toRow func(figure, command string, ss []benchStats) (row, error)) step {
	args := []string{"test", "-run", "^$", "-bench", bench, "-benchtime", benchtime, "-count", "3", "-benchmem", pkg}
	command := "go " + shellJoin(args)
	return step{name: name, timeout: timeout, figure: figure, command: command,
		run: func(ctx context.Context, cfg config) ([]row, error) {
			res, err := runCmd(ctx, cfg, name, nil, "go", args...)
			if err != nil {
				return nil, err
			}
			rs, err := parseGoBench(bytes.NewReader(res.Stdout))
			if err != nil {
				return nil, err
			}
			rw, err := toRow(figure, command, groupBench(rs))
			if err != nil {
				return nil, err
			}
			return []row{rw}, nil
		}}
}

func skillRow(figure, command string, ss []benchStats) (row, error) {
	return handlerRow(figure, command, ss, "SearchAndPlay", func(ns, allocs float64) string {
		return fmt.Sprintf("≤ 50 µs and ≤ 150 allocs: %s", verdict(ns <= 50_000 && allocs <= 150))
	})
}

func customSkillRow(figure, command string, ss []benchStats) (row, error) {
	return handlerRow(figure, command, ss, "Invoke", nil)
}

// handlerRow is a handler benchmark's row: median time, range, allocs and
// bytes of Benchmark<name>; bar (nil: none) judges the medians.
func handlerRow(figure, command string, ss []benchStats, name string, bar func(ns, allocs float64) string) (row, error) {
	s, ok := findBench(ss, name)
	if !ok {
		return row{}, fmt.Errorf("no Benchmark%s result", name)
	}
	ns, _ := s.Median("ns/op")
	lo, hi, _ := s.Range("ns/op")
	allocs, _ := s.Median("allocs/op")
	bytesOp, _ := s.Median("B/op")
	r := row{Figure: figure, Command: command,
		Value: fmt.Sprintf("%s/op (%s–%s), %.0f allocs, %s/op; median of %d", nanos(ns), nanos(lo), nanos(hi), allocs, size(bytesOp), len(s.Runs)),
	}
	if bar != nil {
		r.Bar = bar(ns, allocs)
	}
	return r, nil
}

func nluRow(figure, command string, ss []benchStats) (row, error) {
	var slowest, fastest benchStats
	var hi, lo, aLo, aHi float64
	n := 0
	for _, s := range ss {
		if !strings.HasPrefix(s.Name, "Parse/") {
			continue
		}
		ns, ok := s.Median("ns/op")
		if !ok {
			continue
		}
		a, _ := s.Median("allocs/op")
		if n == 0 || ns > hi {
			hi, slowest = ns, s
		}
		if n == 0 || ns < lo {
			lo, fastest = ns, s
		}
		if n == 0 || a < aLo {
			aLo = a
		}
		if n == 0 || a > aHi {
			aHi = a
		}
		n++
	}
	if n == 0 {
		return row{}, errors.New("no BenchmarkParse/… result")
	}
	return row{Figure: figure, Command: command,
		Value: fmt.Sprintf("%s–%s/op over %d utterances (median of 3 each; slowest %s, fastest %s), %.0f–%.0f allocs",
			nanos(lo), nanos(hi), n, strings.TrimPrefix(slowest.Name, "Parse/"), strings.TrimPrefix(fastest.Name, "Parse/"), aLo, aHi),
		Bar: fmt.Sprintf("≤ 20 µs: %s", verdict(hi <= 20_000)),
	}, nil
}

// ---- Lambda cold start ----

// coldFunctions are the Lambdas timed from process start to first reply.
// Each request is answered without a DynamoDB call (a directive without a
// messageId, a session end for another skill, a request without a token),
// so the figure is the emulator, the process and the function's init.
var coldFunctions = []struct{ name, dir, payload string }{
	{"SkillFunction", "skill", `{"directive":{"header":{"namespace":"Alexa.PlaybackController","name":"Pause","payloadVersion":"3"},"endpoint":{"endpointId":"tv-1"},"payload":{}}}`},
	{"DeviceApiFunction", "device-api", `{"version":"2.0","routeKey":"GET /v1/devices","rawPath":"/v1/devices","headers":{},"requestContext":{"http":{"method":"GET","path":"/v1/devices"},"routeKey":"GET /v1/devices"},"isBase64Encoded":false}`},
	{"CustomSkillFunction", "custom-skill", `{"version":"1.0","session":{"application":{"applicationId":"amzn1.ask.skill.bench"}},"context":{"System":{"application":{"applicationId":"amzn1.ask.skill.bench"}}},"request":{"type":"SessionEndedRequest","requestId":"bench-1","reason":"USER_INITIATED"}}`},
}

func coldStart(ctx context.Context, cfg config) ([]row, error) {
	envs, err := localEnv(filepath.Join(cfg.Root, "lambdas", "env.local.json"))
	if err != nil {
		return nil, err
	}
	var parts []string
	var fast, slow []string
	for _, fn := range coldFunctions {
		var first, rie []time.Duration
		for range cfg.ColdStarts {
			r, f, err := oneColdStart(ctx, cfg, fn.name, filepath.Join(cfg.Bin, "lambdas", fn.dir, "bootstrap"), envs[fn.name], []byte(fn.payload))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", fn.name, err)
			}
			rie, first = append(rie, r), append(first, f)
		}
		slices.Sort(first)
		slices.Sort(rie)
		med := first[len(first)/2]
		if med < coldStartBar {
			fast = append(fast, fn.dir)
		} else {
			slow = append(slow, fn.dir)
		}
		parts = append(parts, fmt.Sprintf("%s %s (max %s; + emulator start %s)", fn.dir, millis(med), millis(first[len(first)-1]), millis(rie[len(rie)/2])))
	}
	return []row{{
		Figure: "Lambda cold start under aws-lambda-rie: bootstrap process start → first reply (the first Invoke: the emulator starts the process, init, one request answered without a DynamoDB call)",
		Value:  fmt.Sprintf("median of %d: %s", cfg.ColdStarts, strings.Join(parts, "; ")),
		Bar:    coldStartVerdict(fast, slow),
		Command: "go run ./infra/bench -only coldstart (samlocal.Start until the emulator listens, then the timed first Invoke; " +
			strconv.Itoa(cfg.ColdStarts) + " fresh emulators per function)",
	}}, nil
}

// coldStartBar is the target for a Lambda's first reply.
const coldStartBar = 50 * time.Millisecond

// coldStartVerdict says which functions met the bar (by their median).
func coldStartVerdict(fast, slow []string) string {
	switch {
	case len(slow) == 0:
		return "< 50 ms: met"
	case len(fast) == 0:
		return "< 50 ms: **not met**"
	default:
		return fmt.Sprintf("< 50 ms: met by %s; **not met** by %s", strings.Join(fast, ", "), strings.Join(slow, ", "))
	}
}

// localEnv reads each function's environment from lambdas/env.local.json
// (what `sam local` is given), with every address that file points at the
// Docker host replaced by a closed loopback port: the timed requests make no
// outbound call, and nothing else should be reached.
func localEnv(path string) (map[string]map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var envs map[string]map[string]string
	if err := json.Unmarshal(b, &envs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, env := range envs {
		for k, v := range env {
			if strings.Contains(v, "host.docker.internal") {
				env[k] = "http://127.0.0.1:9"
			}
		}
	}
	return envs, nil
}

// oneColdStart starts one emulator and times its first Invoke: rie is how
// long aws-lambda-rie took to listen, first the first reply.
func oneColdStart(ctx context.Context, cfg config, name, bootstrap string, env map[string]string, payload []byte) (rie, first time.Duration, err error) {
	began := time.Now()
	emu, err := samlocal.Start(ctx, samlocal.EmulatorConfig{
		Name: name, RIEPath: filepath.Join(cfg.Bin, "aws-lambda-rie"), Bootstrap: bootstrap, Env: env,
	})
	if err != nil {
		return 0, 0, err
	}
	defer emu.Stop()
	rie = time.Since(began)
	began = time.Now()
	res, err := emu.Invoke(ctx, payload)
	first = time.Since(began)
	if err != nil {
		return 0, 0, err
	}
	if res.FunctionError != "" || len(res.Payload) == 0 {
		return 0, 0, fmt.Errorf("no reply: %s %s", res.ErrorType, shorten(string(res.Payload), 100))
	}
	cfg.Log.Printf("coldstart: %s replied in %v: %s", name, first.Round(time.Millisecond), shorten(string(res.Payload), 60))
	return rie, first, nil
}

// ---- binary size ----

var sizeTargets = []struct{ target, short string }{
	{"build-SkillFunction", "skill"}, {"build-DeviceApiFunction", "device-api"},
	{"build-CustomSkillFunction", "custom-skill"}, {"build-CatalogExportFunction", "catalog-export"},
}

func binarySizes(ctx context.Context, cfg config) ([]row, error) {
	var parts []string
	for _, t := range sizeTargets {
		dir := filepath.Join(cfg.Work, "arm64", t.short)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if _, err := runCmd(ctx, cfg, "size", nil, "make", "--no-print-directory", t.target, "ARTIFACTS_DIR="+dir); err != nil {
			return nil, err
		}
		fi, err := os.Stat(filepath.Join(dir, "bootstrap"))
		if err != nil {
			return nil, err
		}
		parts = append(parts, fmt.Sprintf("%s %.1f MB", t.short, float64(fi.Size())/1e6))
	}
	return []row{{
		Figure:  "Lambda binary size (linux/arm64 `bootstrap`, as SAM builds it, not stripped, uncompressed)",
		Value:   strings.Join(parts, "; "),
		Command: "make build-SkillFunction ARTIFACTS_DIR=DIR (and the other build-* targets)",
	}}, nil
}

// ---- voice → TV ----

func voiceToTV(ctx context.Context, cfg config) ([]row, error) {
	args := []string{"test", "-run", "^$", "-bench", "VoiceToTV", "-benchtime", fmt.Sprintf("%dx", cfg.VoiceN), "./e2e/"}
	command := "LIVINGROOM_BIN=$PWD/bin go " + shellJoin(args)
	res, err := runCmd(ctx, cfg, "voice", []string{"LIVINGROOM_BIN=" + cfg.Bin}, "go", args...)
	if err != nil {
		return nil, err
	}
	rs, err := parseGoBench(bytes.NewReader(res.Stdout))
	if err != nil {
		return nil, err
	}
	return voiceRows(groupBench(rs), command, cfg.VoiceN)
}

func voiceRows(ss []benchStats, command string, n int) ([]row, error) {
	var rows []row
	for _, sub := range []struct{ name, what string }{
		{"VoiceToTV/settled", "each command after the last one's state report"},
		{"VoiceToTV/back-to-back", "commands back to back"},
	} {
		s, ok := findBench(ss, sub.name)
		if !ok {
			return rows, fmt.Errorf("no Benchmark%s result", sub.name)
		}
		tv50, ok1 := s.Median("tv-p50-ms")
		tv99, ok2 := s.Median("tv-p99-ms")
		r50, _ := s.Median("reply-p50-ms")
		r99, _ := s.Median("reply-p99-ms")
		if !ok1 || !ok2 {
			return rows, fmt.Errorf("%s: no tv-p50-ms/tv-p99-ms", sub.name)
		}
		rows = append(rows, row{
			Figure:  fmt.Sprintf("voice → TV state, %s (%d commands, warm Lambda)", sub.what, n),
			Value:   fmt.Sprintf("p50 %.1f ms, p99 %.1f ms; skill reply p50 %.1f ms, p99 %.1f ms", tv50, tv99, r50, r99),
			Bar:     voiceVerdict(tv50, tv99),
			Command: command,
		})
	}
	return rows, nil
}

// voiceVerdict holds the TV times to issue 5's bar.
func voiceVerdict(p50, p99 float64) string {
	const bar = "TV p50 < 3 ms, p99 < 6 ms"
	if p50 < 3 && p99 < 6 {
		return bar + ": met"
	}
	return bar + ": **not met**"
}

// ---- catalog export ----

var catalogSizes = []struct {
	works  int
	bar    string
	wallOK func(time.Duration, int64) bool
}{
	{120_000, "< 1.2 s", func(d time.Duration, _ int64) bool { return d < 1200*time.Millisecond }},
	{1_000_000, "< 10 s and < 100 MB", func(d time.Duration, kb int64) bool { return d < 10*time.Second && kb < 100_000 }},
}

func catalogExport(ctx context.Context, cfg config) ([]row, error) {
	var rows []row
	for _, c := range catalogSizes {
		out := filepath.Join(cfg.Work, "catalog-out")
		if err := os.RemoveAll(out); err != nil {
			return rows, err
		}
		res, err := runCmd(ctx, cfg, "catalog", nil, filepath.Join(cfg.Bin, "catalog-exporter"),
			"--synthetic", strconv.Itoa(c.works), "--out", out, "--progress", "never")
		written := dirSize(out)
		_ = os.RemoveAll(out) // a gigabyte at 1M works
		if err != nil {
			return rows, err
		}
		rows = append(rows, row{
			Figure:  fmt.Sprintf("catalog export, %s works (synthetic, validated CDF, fsynced)", thousands(c.works)),
			Value:   fmt.Sprintf("%.2f s, peak RSS %.0f MB, %.0f MB written", res.Wall.Seconds(), float64(res.MaxRSS)/1000, float64(written)/1e6),
			Bar:     fmt.Sprintf("%s: %s", c.bar, verdict(c.wallOK(res.Wall, res.MaxRSS))),
			Command: fmt.Sprintf("bin/catalog-exporter --synthetic %d --out DIR (wall clock and ru_maxrss of the process)", c.works),
		})
	}
	return rows, nil
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// ---- device-push beside Centrifugo ----

func pushSideBySide(ctx context.Context, cfg config) ([]row, error) {
	out := filepath.Join(cfg.Work, "pushload")
	if err := os.RemoveAll(out); err != nil {
		return nil, err
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	order := "dp cf"
	haveCF := executable(cfg.Centrifugo)
	if !haveCF {
		order = "dp"
	}
	hold := cfg.PushHold.String()
	env := []string{"ORDER=" + order, "DEVICES=" + strconv.Itoa(cfg.PushDevices), "HOLD=" + hold, "RATES=5000,max",
		"DUR=5s", "OUT=" + out, "CF_BIN=" + cfg.Centrifugo, "CF_PORT=" + ports[0], "DP_PORT=" + ports[1], "PROGRESS=never",
		// The issue-7 bars hold with every accepted message persisted:
		// the embedded JetStream on files, as in production.
		"DP_ENV=DEVICE_PUSH_DATA_DIR=" + filepath.Join(out, "device-push-data")}
	command := fmt.Sprintf("DEVICES=%d HOLD=%s RATES=5000,max DUR=5s DP_ENV=DEVICE_PUSH_DATA_DIR=DIR device-push/loadtest/side-by-side.sh", cfg.PushDevices, hold)
	if _, err := runCmd(ctx, cfg, "push", env, "device-push/loadtest/side-by-side.sh"); err != nil {
		return nil, err
	}
	dp, err := readSummary(filepath.Join(out, "device-push.json"))
	if err != nil {
		return nil, err
	}
	var cf *loadtest.Summary
	if haveCF {
		s, err := readSummary(filepath.Join(out, "centrifugo.json"))
		if err != nil {
			return nil, err
		}
		cf = &s
	}
	return pushRows(dp, cf, command, cfg.PushDevices), nil
}

// pushRows compares device-push with Centrifugo (nil: not run).
func pushRows(dp loadtest.Summary, cf *loadtest.Summary, command string, devices int) []row {
	notRun := "Centrifugo not run"
	beside := func(f func(loadtest.Summary) string) string {
		if cf == nil {
			return notRun
		}
		return "Centrifugo " + f(*cf)
	}
	idle := func(s loadtest.Summary) string {
		if s.Idle == nil {
			return "?"
		}
		return fmt.Sprintf("%.1f KB", s.Idle.KBPerConn)
	}
	maxRate := func(s loadtest.Summary) string {
		p := findPhase(s, 0)
		if p == nil {
			return "?"
		}
		return fmt.Sprintf("%.0f/s delivered (p99 %.1f ms)", p.DeliveredPerS, p.P99Ms)
	}
	at5k := func(s loadtest.Summary) string {
		p := findPhase(s, 5000)
		if p == nil {
			return "?"
		}
		return fmt.Sprintf("p50 %.1f ms, p99 %.1f ms at %.0f/s achieved", p.P50Ms, p.P99Ms, p.AcceptedPerS)
	}
	idleBar := "≤ 10 KB (issue 7)"
	if dp.Idle != nil {
		idleBar += ": " + verdict(dp.Idle.KBPerConn <= loadtest.BarKBPerConn)
	}
	rateBar := "≥ 1.3× Centrifugo"
	if p, q := findPhase(dp, 0), cfPhase(cf, 0); p != nil && q != nil && q.DeliveredPerS > 0 {
		rateBar += fmt.Sprintf(" (%.2f×): %s", p.DeliveredPerS/q.DeliveredPerS, verdict(p.DeliveredPerS >= loadtest.BarThroughputX*q.DeliveredPerS))
	}
	p99Bar := "< 3 ms"
	if p := findPhase(dp, 5000); p != nil {
		p99Bar += ": " + verdict(p.P99Ms < loadtest.BarP99Ms)
	}
	cfHint := ""
	if cf == nil {
		cfHint = " (no binary; `make bench-push` installs it: go install github.com/centrifugal/centrifugo/v6@v6.9.1)"
	}
	reduced := thousands(devices) + " devices, reduced from 10,000"
	return []row{
		{Figure: "device-push idle memory per websocket connection (server RSS, " + reduced + "; embedded JetStream on files; Centrifugo v6.9.1 memory engine)",
			Value: "device-push " + idle(dp) + "; " + beside(idle) + cfHint, Bar: idleBar, Command: command},
		{Figure: "device-push send → delivery throughput, max rate (8 HTTP senders, 128 B, one server at a time)",
			Value: "device-push " + maxRate(dp) + "; " + beside(maxRate), Bar: rateBar, Command: command},
		{Figure: "device-push send → delivery latency at 5,000/s offered",
			Value: "device-push " + at5k(dp) + "; " + beside(at5k), Bar: p99Bar, Command: command},
	}
}

func cfPhase(s *loadtest.Summary, rate int) *loadtest.PhaseResult {
	if s == nil {
		return nil
	}
	return findPhase(*s, rate)
}

func findPhase(s loadtest.Summary, rate int) *loadtest.PhaseResult {
	for i := range s.Phases {
		if s.Phases[i].Rate == rate {
			return &s.Phases[i]
		}
	}
	return nil
}

func readSummary(path string) (loadtest.Summary, error) {
	var s loadtest.Summary
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ---- fleet ----

func fleetMemory(ctx context.Context, cfg config) ([]row, error) {
	fleetload := filepath.Join(cfg.Work, "fleetload")
	if _, err := runCmd(ctx, cfg, "fleet", nil, "go", "build", "-o", fleetload, "./qa/fleetload"); err != nil {
		return nil, err
	}
	addrs, err := freePorts(8)
	if err != nil {
		return nil, err
	}
	for i := range addrs {
		addrs[i] = "127.0.0.1:" + addrs[i]
	}
	runDir := filepath.Join(cfg.Work, "fleet-run")
	_ = os.RemoveAll(runDir)
	env := []string{"LIVINGROOM_ROOT=" + cfg.Root, "LIVINGROOM_BIN=" + cfg.Bin, "LIVINGROOM_RUN_DIR=" + runDir,
		"FLEET_TVS=" + strconv.Itoa(cfg.FleetTVs), "DYNAMODB_ADDR=" + addrs[0], "LAMBDA_ADDR=" + addrs[1],
		"DEVICE_API_ADDR=" + addrs[2], "DEVICE_PUSH_ADDR=" + addrs[3], "ALEXA_SIM_ADDR=" + addrs[4],
		"TVAPP_ADDR=" + addrs[5], "FLEET_ADDR=" + addrs[6], "PARTNER_ADDR=" + addrs[7]}
	st, err := startStack(ctx, cfg, env)
	if err != nil {
		return nil, err
	}
	defer st.stop()
	res, err := runCmd(ctx, cfg, "fleet", nil, fleetload, "--fleet", "http://"+addrs[6], "--alexa", "http://"+addrs[4],
		"--concurrency", "4", "--timeout", "10m")
	if err != nil {
		return nil, err
	}
	f, err := parseFleetload(string(res.Stdout))
	if err != nil {
		return nil, err
	}
	perTV := float64(f.RSSMB) * 1024 / float64(max(f.TVs, 1))
	return []row{{
		Figure: fmt.Sprintf("fleet memory: %s TVs in one tvapp-sim, each given a voice command (reduced from 10,000)", thousands(cfg.FleetTVs)),
		Value: fmt.Sprintf("RSS %d MB after the commands (%.0f KB a TV, process overhead included), %d goroutines; %d of %d commands received; reply p50 %s, p99 %s",
			f.RSSMB, perTV, f.Goroutines, f.Received, f.TVs, f.ReplyP50, f.ReplyP99),
		Bar:     "10,000 TVs within 1 GB (issue 10)",
		Command: fmt.Sprintf("FLEET_TVS=%d bin/stack & go run ./qa/fleetload --fleet http://FLEET_ADDR --alexa http://ALEXA_SIM_ADDR --concurrency 4", cfg.FleetTVs),
	}}, nil
}

// fleetFigures are what fleetload prints.
type fleetFigures struct {
	TVs, Received, Goroutines int
	RSSMB                     int
	ReplyP50, ReplyP99        string
}

// parseFleetload reads fleetload's summary lines:
//
//	fleet: 1000 TVs registered (…); RSS 61 MB, 6025 goroutines
//	sent 1000 utterances "…" in 14.7 s (68/s, 4 at a time); reply p50 58ms p99 98ms max 243ms
//	delivered: 1000 commands received, 1000 applied in all; 1000 TVs connected; RSS 64 MB, 6025 goroutines
func parseFleetload(out string) (fleetFigures, error) {
	var f fleetFigures
	var sawSent, sawDelivered bool
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "fleet: "):
			if _, err := fmt.Sscanf(line, "fleet: %d TVs", &f.TVs); err != nil {
				return f, fmt.Errorf("fleetload: %q: %w", line, err)
			}
		case strings.HasPrefix(line, "sent "):
			_, after, ok := strings.Cut(line, "reply p50 ")
			fs := strings.Fields(after)
			if !ok || len(fs) < 3 || fs[1] != "p99" {
				return f, fmt.Errorf("fleetload: no reply percentiles in %q", line)
			}
			f.ReplyP50, f.ReplyP99, sawSent = fs[0], fs[2], true
		case strings.HasPrefix(line, "delivered: "):
			var applied, connected int
			_, rest, _ := strings.Cut(line, "RSS ")
			if _, err := fmt.Sscanf(line, "delivered: %d commands received, %d applied in all; %d TVs connected;", &f.Received, &applied, &connected); err != nil {
				return f, fmt.Errorf("fleetload: %q: %w", line, err)
			}
			if _, err := fmt.Sscanf(rest, "%d MB, %d goroutines", &f.RSSMB, &f.Goroutines); err != nil {
				return f, fmt.Errorf("fleetload: %q: %w", line, err)
			}
			sawDelivered = true
		}
	}
	if f.TVs == 0 || !sawSent || !sawDelivered {
		return f, errors.New("fleetload: summary lines missing")
	}
	return f, nil
}

// ---- helpers ----

func freePorts(n int) ([]string, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	return out, nil
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// nanos formats a ns/op figure: 850 ns, 21.3 µs, 1.25 ms.
func nanos(ns float64) string {
	switch {
	case ns < 1e3:
		return fmt.Sprintf("%.0f ns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
}

func millis(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

// size formats bytes: 812 B, 7.0 KB, 1.2 MB (decimal units).
func size(b float64) string {
	switch {
	case b < 1e3:
		return fmt.Sprintf("%.0f B", b)
	case b < 1e6:
		return fmt.Sprintf("%.1f KB", b/1e3)
	default:
		return fmt.Sprintf("%.1f MB", b/1e6)
	}
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// shellJoin quotes the arguments a shell would otherwise interpret.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " ^$*?[]|&;<>()'\"\\`{}!#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
