package main

import (
	"context"
	"errors"
	"io"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"livingroom/device-push/loadtest"
)

func TestParseFleetload(t *testing.T) {
	good := "fleet: 1000 TVs registered (ready 16.2 s after the fleet started; waited 15.0 s); RSS 61 MB, 6025 goroutines\n" +
		"sent 1000 utterances \"watch The Handmaid's Tale\" in 14.7 s (68/s, 4 at a time); reply p50 58ms p99 98ms max 243ms\n" +
		"replies: map[Response:1000]\n" +
		"delivered: 1000 commands received, 1000 applied in all; 1000 TVs connected; RSS 64 MB, 6025 goroutines\n"
	for _, tc := range []struct {
		name, out string
		want      fleetFigures
		err       string
	}{
		{"all lines", good, fleetFigures{TVs: 1000, Received: 1000, Goroutines: 6025, RSSMB: 64, ReplyP50: "58ms", ReplyP99: "98ms"}, ""},
		{"nothing", "", fleetFigures{}, "missing"},
		{"no delivered line", strings.Join(strings.Split(good, "\n")[:3], "\n"), fleetFigures{}, "missing"},
		{"no percentiles", strings.Replace(good, "reply p50 58ms p99 98ms", "reply", 1), fleetFigures{}, "no reply percentiles"},
		{"garbled fleet line", strings.Replace(good, "fleet: 1000", "fleet: many", 1), fleetFigures{}, "fleetload"},
		{"garbled RSS", strings.Replace(good, "RSS 64 MB", "RSS lots", 1), fleetFigures{}, "fleetload"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFleetload(tc.out)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func benchFixture(t *testing.T) []benchStats {
	t.Helper()
	f, err := os.Open("testdata/gobench.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := parseGoBench(f)
	if err != nil {
		t.Fatal(err)
	}
	return groupBench(rs)
}

func TestRowsFromBenchOutput(t *testing.T) {
	ss := benchFixture(t)
	nlu, err := nluRow("nlu", "cmd", ss)
	if err != nil {
		t.Fatal(err)
	}
	if want := "8.5 µs–12.3 µs/op over 2 utterances (median of 3 each; slowest synthetic/title-season-episode, fastest synthetic/misspelt), 108–117 allocs"; nlu.Value != want {
		t.Errorf("nlu value %q\nwant %q", nlu.Value, want)
	}
	if nlu.Bar != "≤ 20 µs: met" {
		t.Errorf("nlu bar %q", nlu.Bar)
	}
	voice, err := voiceRows(ss, "cmd", 200)
	if err != nil || len(voice) != 2 {
		t.Fatalf("voice rows %+v, %v", voice, err)
	}
	if want := "p50 4.1 ms, p99 8.7 ms; skill reply p50 4.9 ms, p99 9.8 ms"; voice[0].Value != want {
		t.Errorf("voice value %q\nwant %q", voice[0].Value, want)
	}
	if _, err := skillRow("skill", "cmd", ss); err == nil {
		t.Error("skill row from output without BenchmarkSearchAndPlay")
	}
	skill, err := skillRow("skill", "cmd", []benchStats{{Name: "SearchAndPlay", Runs: []map[string]float64{
		{"ns/op": 60000, "allocs/op": 93, "B/op": 7025}, {"ns/op": 61000, "allocs/op": 93, "B/op": 7025}, {"ns/op": 59000, "allocs/op": 93, "B/op": 7025}}}})
	if err != nil {
		t.Fatal(err)
	}
	if skill.Value != "60.0 µs/op (59.0 µs–61.0 µs), 93 allocs, 7.0 KB/op; median of 3" || skill.Bar != "≤ 50 µs and ≤ 150 allocs: **not met**" {
		t.Errorf("skill row %+v", skill)
	}
}

func TestPushRows(t *testing.T) {
	dp := loadtest.Summary{Idle: &loadtest.IdleResult{KBPerConn: 24.04}, Phases: []loadtest.PhaseResult{
		{Rate: 5000, P50Ms: 1.8, P99Ms: 23.5, AcceptedPerS: 2605},
		{Rate: 0, DeliveredPerS: 2917, P99Ms: 40.1},
	}}
	cf := loadtest.Summary{Idle: &loadtest.IdleResult{KBPerConn: 59.5}, Phases: []loadtest.PhaseResult{
		{Rate: 5000, P50Ms: 1.5, P99Ms: 25.3, AcceptedPerS: 2889},
		{Rate: 0, DeliveredPerS: 3377, P99Ms: 30},
	}}
	rows := pushRows(dp, &cf, "cmd", 5000)
	want := []row{
		{Figure: "device-push idle memory per websocket connection (server RSS, 5,000 devices, reduced from 10,000; embedded JetStream on files; Centrifugo v6.9.1 memory engine)",
			Value: "device-push 24.0 KB; Centrifugo 59.5 KB", Bar: "≤ 10 KB (issue 7): **not met**", Command: "cmd"},
		{Figure: "device-push send → delivery throughput, max rate (8 HTTP senders, 128 B, one server at a time)",
			Value: "device-push 2917/s delivered (p99 40.1 ms); Centrifugo 3377/s delivered (p99 30.0 ms)", Bar: "≥ 1.3× Centrifugo (0.86×): **not met**", Command: "cmd"},
		{Figure: "device-push send → delivery latency at 5,000/s offered",
			Value: "device-push p50 1.8 ms, p99 23.5 ms at 2605/s achieved; Centrifugo p50 1.5 ms, p99 25.3 ms at 2889/s achieved", Bar: "< 3 ms: **not met**", Command: "cmd"},
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d\n got %+v\nwant %+v", i, rows[i], want[i])
		}
	}
	alone := pushRows(dp, nil, "cmd", 5000)
	for _, r := range alone {
		if !strings.Contains(r.Value, "Centrifugo not run") {
			t.Errorf("without Centrifugo: %q", r.Value)
		}
	}
	if alone[1].Bar != "≥ 1.3× Centrifugo" {
		t.Errorf("ratio bar without Centrifugo: %q", alone[1].Bar)
	}
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{nanos(850), "850 ns"}, {nanos(21_300), "21.3 µs"}, {nanos(1_250_000), "1.25 ms"},
		{size(812), "812 B"}, {size(7025), "7.0 KB"}, {size(1_200_000), "1.2 MB"},
		{thousands(120000), "120,000"}, {thousands(1000000), "1,000,000"}, {thousands(999), "999"},
		{shellJoin([]string{"test", "-run", "^$", "-bench", "A|B", "./x"}), "test -run '^$' -bench 'A|B' ./x"},
		{shellJoin([]string{"it's"}), `'it'\''s'`},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestSelectSteps(t *testing.T) {
	all := allSteps()
	got, err := selectSteps(all, "skill, nlu", "")
	if err != nil || len(got) != 2 || got[0].name != "skill" || got[1].name != "nlu" {
		t.Errorf("only: %v %v", got, err)
	}
	got, err = selectSteps(all, "", "push,fleet")
	if err != nil || len(got) != len(all)-2 {
		t.Errorf("skip: %d %v", len(got), err)
	}
	if _, err := selectSteps(all, "nope", ""); err == nil {
		t.Error("unknown step accepted")
	}
}

func TestRunStep(t *testing.T) {
	cfg := config{Log: log.New(io.Discard, "", 0)}
	ok := step{name: "ok", timeout: time.Second, figure: "f", command: "c",
		run: func(context.Context, config) ([]row, error) { return []row{{Figure: "f", Value: "1 ms"}}, nil }}
	fails := step{name: "fails", timeout: time.Second, figure: "f", command: "c",
		run: func(context.Context, config) ([]row, error) { return nil, errors.New("exit status 1") }}
	partial := step{name: "partial", timeout: time.Second, figure: "f", command: "c",
		run: func(context.Context, config) ([]row, error) {
			return []row{{Figure: "a", Value: "2 ms"}}, errors.New("second size broke")
		}}
	slow := step{name: "slow", timeout: 50 * time.Millisecond, figure: "f", command: "c",
		run: func(ctx context.Context, _ config) ([]row, error) { <-ctx.Done(); return nil, ctx.Err() }}
	for _, tc := range []struct {
		name   string
		s      step
		budget time.Duration
		want   []string // row values, by prefix
		err    bool
	}{
		{"ok", ok, time.Minute, []string{"1 ms"}, false},
		{"fails", fails, time.Minute, []string{"failed: exit status 1"}, true},
		{"partial rows kept", partial, time.Minute, []string{"2 ms", "failed: second size broke"}, true},
		{"step deadline", slow, time.Minute, []string{"failed: the step's deadline of 50ms passed"}, true},
		{"budget used up before", ok, time.Millisecond, []string{"not run: the 10-minute budget was used up"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), tc.budget)
			defer cancel()
			rows, err := runStep(ctx, cfg, tc.s)
			if (err != nil) != tc.err {
				t.Fatalf("err %v, want error %v", err, tc.err)
			}
			if len(rows) != len(tc.want) {
				t.Fatalf("rows %+v", rows)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(rows[i].Value, w) {
					t.Errorf("row %d value %q, want prefix %q", i, rows[i].Value, w)
				}
			}
		})
	}
}

func TestLocalEnv(t *testing.T) {
	envs, err := localEnv("../../lambdas/env.local.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range coldFunctions {
		env, ok := envs[fn.name]
		if !ok {
			t.Errorf("lambdas/env.local.json has no %s", fn.name)
		}
		for k, v := range env {
			if strings.Contains(v, "host.docker.internal") {
				t.Errorf("%s %s=%s not replaced", fn.name, k, v)
			}
		}
	}
	if envs["SkillFunction"]["DYNAMODB_ENDPOINT"] != "http://127.0.0.1:9" {
		t.Errorf("DYNAMODB_ENDPOINT %q", envs["SkillFunction"]["DYNAMODB_ENDPOINT"])
	}
}

func TestColdStartVerdict(t *testing.T) {
	for _, tc := range []struct {
		fast, slow []string
		want       string
	}{
		{[]string{"skill", "device-api"}, nil, "< 50 ms: met"},
		{nil, []string{"skill"}, "< 50 ms: **not met**"},
		{[]string{"skill", "device-api"}, []string{"custom-skill"}, "< 50 ms: met by skill, device-api; **not met** by custom-skill"},
	} {
		if got := coldStartVerdict(tc.fast, tc.slow); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestVoiceVerdict(t *testing.T) {
	tests := []struct {
		p50, p99 float64
		met      bool
	}{
		{1.8, 4.7, true},
		{2.99, 5.99, true},
		{3.0, 4.0, false},
		{2.0, 6.0, false},
		{9.5, 19.2, false},
	}
	for _, tt := range tests {
		got := voiceVerdict(tt.p50, tt.p99)
		if strings.HasSuffix(got, ": met") != tt.met {
			t.Errorf("voiceVerdict(%v, %v) = %q, want met %v", tt.p50, tt.p99, got, tt.met)
		}
	}
}
