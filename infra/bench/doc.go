package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The generated section of docs/BENCHMARKS.md lies between these markers;
// everything outside them is hand-written history and is kept as it is.
const (
	beginMarker = "<!-- make bench: begin -->"
	endMarker   = "<!-- make bench: end -->"
)

// row is one line of the summary table.
type row struct {
	Figure  string // what was measured
	Value   string // the figures, or "not run: …" / "failed: …"
	Bar     string // the target and whether it was met; "" when there is none
	Command string // what produced it, from the repository root
}

// machine is where the figures were measured.
type machine struct {
	CPUs      int
	CPUModel  string
	GoVersion string // "go1.26.8 linux/amd64"
	Commit    string
	Load      [2]string // 1-minute load average at start and end
}

// report is one `make bench` run.
type report struct {
	Started time.Time
	Took    time.Duration
	Machine machine
	Rows    []row
}

// render writes the generated section, markers included.
func render(r report) string {
	var b strings.Builder
	b.WriteString(beginMarker + "\n")
	b.WriteString("## Summary (`make bench`)\n\n")
	b.WriteString("Written by `make bench` (`infra/bench`); edits between the markers are overwritten, the\n")
	b.WriteString("hand-written sections below keep the history and the longer runs.\n\n")
	m := r.Machine
	fmt.Fprintf(&b, "Last run %s at `%s`, %s; machine: nproc %d, %s, %s; 1-minute load average %s at the start, %s at the end.\n",
		r.Started.UTC().Format("2006-01-02 15:04 UTC"), orDash(m.Commit), durationText(r.Took),
		m.CPUs, orDash(m.CPUModel), orDash(m.GoVersion), orDash(m.Load[0]), orDash(m.Load[1]))
	b.WriteString("Every row was measured on that machine, one step at a time. **The box is shared with other sessions' builds\n")
	b.WriteString("and tests and is noisy**: figures move by tens of percent between runs, the p99s most. Reduced sizes are\n")
	b.WriteString("said in the row; the sections below have the full-size runs.\n\n")
	b.WriteString("| figure | measured | bar | command |\n|---|---|---|---|\n")
	for _, rw := range r.Rows {
		cmd := ""
		if rw.Command != "" {
			cmd = "`" + strings.ReplaceAll(rw.Command, "`", "'") + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(rw.Figure), cell(rw.Value), cell(rw.Bar), cell(cmd))
	}
	b.WriteString(endMarker + "\n")
	return b.String()
}

// cell makes a table cell of s: one line, pipes escaped (GitHub honours \|
// inside code spans in tables too).
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func orDash(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// durationText: "took 7 min 12 s".
func durationText(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("took %d s", int(d.Seconds()))
	}
	return fmt.Sprintf("took %d min %d s", int(d.Minutes()), int(d.Seconds())%60)
}

// rewrite puts section in place of the marked one in doc. Without markers
// the section goes before the first "## " heading (after the introduction).
// One marker alone, or the end before the begin, is an error: the document
// was edited by hand and is left alone.
func rewrite(doc []byte, section string) ([]byte, error) {
	bi := bytes.Index(doc, []byte(beginMarker))
	ei := bytes.Index(doc, []byte(endMarker))
	switch {
	case bi >= 0 && ei > bi:
		if bytes.Count(doc, []byte(beginMarker)) != 1 || bytes.Count(doc, []byte(endMarker)) != 1 {
			return nil, errors.New("rewrite: the bench markers appear more than once")
		}
		end := ei + len(endMarker)
		if end < len(doc) && doc[end] == '\n' {
			end++
		}
		out := append([]byte{}, doc[:bi]...)
		out = append(out, section...)
		return append(out, doc[end:]...), nil
	case bi < 0 && ei < 0:
		at := len(doc)
		if i := bytes.Index(doc, []byte("\n## ")); i >= 0 {
			at = i + 1
		} else if bytes.HasPrefix(doc, []byte("## ")) {
			at = 0
		}
		out := append([]byte{}, doc[:at]...)
		if at > 0 && !bytes.HasSuffix(out, []byte("\n\n")) {
			if !bytes.HasSuffix(out, []byte("\n")) {
				out = append(out, '\n')
			}
			out = append(out, '\n')
		}
		out = append(out, section...)
		if at < len(doc) {
			out = append(out, '\n')
		}
		return append(out, doc[at:]...), nil
	default:
		return nil, fmt.Errorf("rewrite: the markers %s and %s are not one pair in that order; fix the document by hand", beginMarker, endMarker)
	}
}
