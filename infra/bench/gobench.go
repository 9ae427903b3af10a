package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// benchResult is one line of `go test -bench` output. golang.org/x/tools/benchmark/parse
// keeps only ns/op, MB/s, B/op and allocs/op and drops the units a benchmark
// reports itself (b.ReportMetric: tv-p50-ms, …), so the lines are read here.
type benchResult struct {
	Pkg     string             // from the "pkg:" line before it
	Name    string             // without "Benchmark" and the -GOMAXPROCS suffix: "Parse/synthetic/misspelt"
	Procs   int                // the -N suffix; 1 when absent
	N       int                // iterations
	Metrics map[string]float64 // unit → value: "ns/op", "B/op", "allocs/op", "tv-p99-ms", …
}

// maxBenchLine bounds one line of go test output.
const maxBenchLine = 64 << 10

// parseGoBench reads `go test -bench` output and returns its benchmark lines
// in order; every other line (PASS, ok, logs, goos:) is skipped.
func parseGoBench(r io.Reader) ([]benchResult, error) {
	var out []benchResult
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxBenchLine)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		if res, ok := parseBenchLine(line); ok {
			res.Pkg = pkg
			out = append(out, res)
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read benchmark output: %w", err)
	}
	return out, nil
}

// parseBenchLine parses "BenchmarkName-2  20000  8300 ns/op  108 allocs/op …".
func parseBenchLine(line string) (benchResult, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 || !strings.HasPrefix(f[0], "Benchmark") {
		return benchResult{}, false
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n <= 0 {
		return benchResult{}, false
	}
	name, procs := splitProcs(strings.TrimPrefix(f[0], "Benchmark"))
	if name == "" {
		return benchResult{}, false
	}
	res := benchResult{Name: name, Procs: procs, N: n, Metrics: map[string]float64{}}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return benchResult{}, false
		}
		res.Metrics[f[i+1]] = v
	}
	return res, true
}

// splitProcs cuts the -GOMAXPROCS suffix go test adds when it is above 1.
func splitProcs(name string) (string, int) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name, 1
	}
	p, err := strconv.Atoi(name[i+1:])
	if err != nil || p < 1 {
		return name, 1
	}
	return name[:i], p
}

// benchStats gathers the runs (-count) of each benchmark.
type benchStats struct {
	Name string
	Runs []map[string]float64
}

// groupBench groups results by name, keeping first-seen order.
func groupBench(rs []benchResult) []benchStats {
	var out []benchStats
	idx := map[string]int{}
	for _, r := range rs {
		i, ok := idx[r.Name]
		if !ok {
			i = len(out)
			idx[r.Name] = i
			out = append(out, benchStats{Name: r.Name})
		}
		out[i].Runs = append(out[i].Runs, r.Metrics)
	}
	return out
}

// Median of one unit over the runs that reported it; ok false if none did.
func (s benchStats) Median(unit string) (float64, bool) {
	var vs []float64
	for _, m := range s.Runs {
		if v, ok := m[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2], true
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, true
}

// Range of one unit over the runs (min, max).
func (s benchStats) Range(unit string) (lo, hi float64, ok bool) {
	for _, m := range s.Runs {
		v, has := m[unit]
		if !has {
			continue
		}
		if !ok || v < lo {
			lo = v
		}
		if !ok || v > hi {
			hi = v
		}
		ok = true
	}
	return lo, hi, ok
}

func findBench(ss []benchStats, name string) (benchStats, bool) {
	for _, s := range ss {
		if s.Name == name {
			return s, true
		}
	}
	return benchStats{}, false
}
