package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress draws a progress bar on a terminal once a run has taken a
// second; it stays quiet when stderr is not a terminal (logs, CI) unless
// asked for with --progress always.
type progress struct {
	w       io.Writer
	enabled bool
	now     func() time.Time
	start   time.Time
	stage   string
	bar     *progressbar.ProgressBar
}

func newProgress(w io.Writer, mode string, now func() time.Time) *progress {
	p := &progress{w: w, now: now, start: now()}
	switch mode {
	case "always":
		p.enabled = true
	case "auto":
		f, ok := w.(*os.File)
		p.enabled = ok && term.IsTerminal(int(f.Fd()))
	}
	return p
}

// update is export.Exporter.Progress.
func (p *progress) update(stage string, done, total int) {
	if !p.enabled || p.now().Sub(p.start) < time.Second {
		return
	}
	if p.bar == nil || stage != p.stage {
		p.finish()
		max := int64(total)
		if max <= 0 {
			max = -1 // unknown: a spinner
		}
		p.stage = stage
		p.bar = progressbar.NewOptions64(max,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("%-8s", stage)),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("works"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
		)
	}
	_ = p.bar.Set64(int64(done))
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
		p.bar = nil
	}
}

// bufferedFile is a file behind a large buffer.
type bufferedFile struct {
	*bufio.Writer
	f *os.File
}

func newBufferedFile(f *os.File) *bufferedFile {
	return &bufferedFile{Writer: bufio.NewWriterSize(f, 1<<20), f: f}
}

func (b *bufferedFile) Close() error {
	err := b.Flush()
	if cerr := b.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
