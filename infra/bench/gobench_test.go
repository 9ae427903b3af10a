package main

import (
	"os"
	"reflect"
	"testing"
)

func TestParseBenchLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		line string
		ok   bool
		want benchResult
	}{
		{"standard", "BenchmarkSearchAndPlay-2   	   20000	     22010 ns/op	    7025 B/op	      93 allocs/op", true,
			benchResult{Name: "SearchAndPlay", Procs: 2, N: 20000, Metrics: map[string]float64{"ns/op": 22010, "B/op": 7025, "allocs/op": 93}}},
		{"no procs suffix (GOMAXPROCS=1)", "BenchmarkInvoke 	 1000	 1500 ns/op", true,
			benchResult{Name: "Invoke", Procs: 1, N: 1000, Metrics: map[string]float64{"ns/op": 1500}}},
		{"sub-benchmark with dashes", "BenchmarkParse/synthetic/title-season-episode-8 20000 12310 ns/op", true,
			benchResult{Name: "Parse/synthetic/title-season-episode", Procs: 8, N: 20000, Metrics: map[string]float64{"ns/op": 12310}}},
		{"custom metrics", "BenchmarkVoiceToTV/settled-2 200 6100000 ns/op 4.9 reply-p50-ms 8.7 tv-p99-ms", true,
			benchResult{Name: "VoiceToTV/settled", Procs: 2, N: 200, Metrics: map[string]float64{"ns/op": 6100000, "reply-p50-ms": 4.9, "tv-p99-ms": 8.7}}},
		{"fractional ns/op", "BenchmarkTooLong-2 20000 183.5 ns/op", true,
			benchResult{Name: "TooLong", Procs: 2, N: 20000, Metrics: map[string]float64{"ns/op": 183.5}}},
		{"PASS", "PASS", false, benchResult{}},
		{"ok line", "ok  	livingroom/e2e	40.1s", false, benchResult{}},
		{"bench log header", "--- BENCH: BenchmarkParse", false, benchResult{}},
		{"name only", "BenchmarkX-2", false, benchResult{}},
		{"missing unit", "BenchmarkX-2 100 12 ns/op 7", false, benchResult{}},
		{"iterations not a number", "BenchmarkX-2 many 12 ns/op", false, benchResult{}},
		{"zero iterations", "BenchmarkX-2 0 12 ns/op", false, benchResult{}},
		{"value not a number", "BenchmarkX-2 100 fast ns/op", false, benchResult{}},
		{"NaN", "BenchmarkX-2 100 NaN ns/op", false, benchResult{}},
		{"Inf", "BenchmarkX-2 100 +Inf ns/op", false, benchResult{}},
		{"empty name", "Benchmark 100 12 ns/op", false, benchResult{}},
		{"a test log line", "    bench_test.go:170: Benchmark 100 ns/op", false, benchResult{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseBenchLine(tc.line)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tc.ok, got)
			}
			if ok && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseGoBenchFile(t *testing.T) {
	f, err := os.Open("testdata/gobench.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := parseGoBench(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 8 {
		t.Fatalf("%d results, want 8: %+v", len(rs), rs)
	}
	if rs[0].Pkg != "livingroom/alexa-sim/nlu" || rs[7].Pkg != "livingroom/e2e" {
		t.Errorf("packages %q, %q", rs[0].Pkg, rs[7].Pkg)
	}
	ss := groupBench(rs)
	var names []string
	for _, s := range ss {
		names = append(names, s.Name)
	}
	wantNames := []string{"Parse/synthetic/title-season-episode", "Parse/synthetic/misspelt", "VoiceToTV/settled", "VoiceToTV/back-to-back"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Fatalf("groups %q, want %q", names, wantNames)
	}
	for _, tc := range []struct {
		bench, unit string
		median      float64
		lo, hi      float64
		ok          bool
		runs        int
	}{
		{"Parse/synthetic/title-season-episode", "ns/op", 12310, 12300, 14700, true, 3},
		{"Parse/synthetic/misspelt", "ns/op", 8500, 8300, 9300, true, 3},
		{"Parse/synthetic/misspelt", "allocs/op", 108, 108, 108, true, 3},
		{"VoiceToTV/settled", "tv-p99-ms", 8.7, 8.7, 8.7, true, 1},
		{"VoiceToTV/settled", "allocs/op", 0, 0, 0, false, 1},
	} {
		s, ok := findBench(ss, tc.bench)
		if !ok || len(s.Runs) != tc.runs {
			t.Fatalf("%s: found %v with %d runs", tc.bench, ok, len(s.Runs))
		}
		m, mok := s.Median(tc.unit)
		lo, hi, rok := s.Range(tc.unit)
		if mok != tc.ok || rok != tc.ok || m != tc.median || lo != tc.lo || hi != tc.hi {
			t.Errorf("%s %s: median %v (%v), range %v–%v (%v); want %v, %v–%v (%v)", tc.bench, tc.unit, m, mok, lo, hi, rok, tc.median, tc.lo, tc.hi, tc.ok)
		}
	}
}

func TestMedianEven(t *testing.T) {
	s := benchStats{Runs: []map[string]float64{{"ns/op": 4}, {"ns/op": 1}, {"ns/op": 3}, {"ns/op": 2}}}
	if m, _ := s.Median("ns/op"); m != 2.5 {
		t.Errorf("median %v, want 2.5", m)
	}
}
