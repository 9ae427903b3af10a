// Command catalog-exporter turns the partner's content metadata into
// Amazon's catalog files (CDF and EMBER), validated and diffed against the
// last export, into a directory or an S3 bucket, and keeps the catalog index
// in DynamoDB that the skill resolves entities with.
//
//	catalog-exporter (--out DIR | --s3 s3://BUCKET[/PREFIX]) [--source FILE | --synthetic N] [flags]
//
// Exit status: 0 exported, 3 exported with warnings or with invalid works
// left out, 4 refused (nothing published), 1 failed, 2 bad usage.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"livingroom/catalog-exporter/dirsink"
	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
)

// Exit codes.
const (
	exitExported     = 0
	exitFailed       = 1
	exitUsage        = 2
	exitWithProblems = 3
	exitRefused      = 4
)

// memoryLimit is the heap the runtime aims to stay under (unless GOMEMLIMIT
// says otherwise): the exporter keeps little, and a lazy collector would
// let garbage from a million works grow the process past 100 MB.
const memoryLimit = 64 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type usageError struct{ error }

// maxListed bounds the problems printed (and put in the JSON summary).
const maxListed = 1000

type options struct {
	out, s3URL, state, src, partner, formats, maxRemovals, writeSource string
	synthetic, revision, pageSize                                      int
	seed                                                               uint64
	strict, gzip, emberFull, index, jsonOut, skipInvalid               bool
	progress, cpuProfile, interactionModel                             string
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("catalog-exporter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.out, "out", "", "directory to publish into (Amazon's bucket layout: catalogs/, pages/, manifests/, ember/)")
	fs.StringVar(&o.s3URL, "s3", "", "publish to an S3 bucket instead: s3://BUCKET[/PREFIX] ($S3_ENDPOINT for a local server, $AWS_REGION)")
	fs.StringVar(&o.state, "state", "", "directory of the snapshot of the last export (default OUT/.catalog-exporter; required with --s3)")
	fs.StringVar(&o.src, "source", "", "JSON Lines metadata file (default: the bundled sample catalog)")
	fs.IntVar(&o.synthetic, "synthetic", 0, "export a synthetic catalog of N works instead of a source (Hulu-like mix, deterministic)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the synthetic catalog")
	fs.IntVar(&o.revision, "synthetic-revision", 0, "revision of the synthetic catalog: each changes about 1% of the works")
	fs.StringVar(&o.writeSource, "write-source", "", "write the synthetic catalog as a JSON Lines source FILE and exit")
	fs.StringVar(&o.partner, "partner", "Living Room", "partner name written to the CDF <Partner> element")
	fs.StringVar(&o.formats, "format", export.FormatCDF, "formats to publish, comma-separated: cdf, ember")
	fs.IntVar(&o.pageSize, "page-size", 0, "split into CDF pages + manifest and EMBER files of about N works (0: one CDF file)")
	fs.BoolVar(&o.gzip, "gzip", false, "gzip the catalog files (.xml.gz)")
	fs.BoolVar(&o.strict, "strict", false, "refuse the whole catalog on any error (default: leave invalid works out and list them)")
	fs.BoolVar(&o.skipInvalid, "skip-invalid", true, "leave invalid works out (the default; kept for compatibility, see --strict)")
	fs.StringVar(&o.maxRemovals, "max-removals", export.DefaultMaxRemovals.String(), "refuse to publish when more works than this would be removed: a count or a percentage")
	fs.BoolVar(&o.emberFull, "ember-full", false, "write EMBER CATALOG_FULL even when an update is possible")
	fs.BoolVar(&o.index, "index", false, "also update the catalog index in DynamoDB table $CATALOG_TABLE "+
		"($DYNAMODB_ENDPOINT for a local server, $AWS_REGION, default us-east-1)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the summary as JSON")
	fs.StringVar(&o.progress, "progress", "auto", "progress bar: auto (on a terminal, for runs over a second), always, never")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) of the export to FILE")
	fs.StringVar(&o.interactionModel, "interaction-model", "", "after the export, fill the CATALOG_TITLE slot type of the custom skill's interaction model FILE with the movie and series titles")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	case o.writeSource != "":
		if o.synthetic <= 0 {
			return o, usageError{errors.New("--write-source needs --synthetic N")}
		}
		return o, nil
	case o.out == "" && o.s3URL == "":
		fs.Usage()
		return o, usageError{errors.New("--out or --s3 is required")}
	case o.out != "" && o.s3URL != "":
		return o, usageError{errors.New("--out and --s3 exclude each other")}
	case o.s3URL != "" && o.state == "":
		return o, usageError{errors.New("--s3 needs --state DIR for the snapshot of the last export")}
	case o.src != "" && o.synthetic > 0:
		return o, usageError{errors.New("--source and --synthetic exclude each other")}
	case o.synthetic < 0 || o.synthetic > 100_000_000:
		return o, usageError{errors.New("--synthetic must be between 1 and 100000000")}
	case o.pageSize < 0:
		return o, usageError{errors.New("--page-size must not be negative")}
	case o.progress != "auto" && o.progress != "always" && o.progress != "never":
		return o, usageError{errors.New("--progress must be auto, always or never")}
	}
	for _, f := range strings.Split(o.formats, ",") {
		if f != export.FormatCDF && f != export.FormatEMBER {
			return o, usageError{fmt.Errorf("--format: unknown format %q (cdf, ember)", f)}
		}
	}
	if _, err := export.ParseLimit(o.maxRemovals); err != nil {
		return o, usageError{fmt.Errorf("--max-removals: %w", err)}
	}
	return o, nil
}

// run runs the command and returns its exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitExported
	}
	if err != nil {
		fmt.Fprintln(stderr, "catalog-exporter:", err)
		return exitUsage
	}
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "catalog-exporter:", err)
			return exitFailed
		}
		defer stop()
	}
	sum, err := export1(ctx, o, getenv, stdout, stderr)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "catalog-exporter:", err)
		return exitUsage
	case errors.Is(err, export.ErrRefused):
		fmt.Fprintln(stderr, "catalog-exporter:", err)
		return exitRefused
	case err != nil:
		fmt.Fprintln(stderr, "catalog-exporter:", err)
		return exitFailed
	case sum != nil && sum.Errors+sum.Warnings > 0:
		return exitWithProblems
	}
	return exitExported
}

func export1(ctx context.Context, o options, getenv func(string) string, stdout, stderr io.Writer) (*export.Summary, error) {
	if o.writeSource != "" {
		return nil, writeSource(ctx, o)
	}
	var src source.Source
	switch {
	case o.synthetic > 0:
		src = source.Synthetic{Works: o.synthetic, Seed: o.seed, Revision: o.revision}
	case o.src != "":
		lines, closer, err := source.OpenFile(ctx, o.src)
		if err != nil {
			return nil, err
		}
		defer closer.Close()
		src = lines
	default:
		lines, err := source.SampleSource(ctx)
		if err != nil {
			return nil, err
		}
		src = lines
	}
	limit, _ := export.ParseLimit(o.maxRemovals)
	e := export.Exporter{
		Partner: o.partner, Formats: strings.Split(o.formats, ","), Strict: o.strict, MaxRemovals: &limit,
		PageSize: o.pageSize, Gzip: o.gzip, EmberFull: o.emberFull, Now: time.Now,
	}
	var err error
	if o.s3URL != "" {
		if e.Sink, err = newS3Sink(ctx, o.s3URL, getenv); err != nil {
			return nil, err
		}
		e.StateDir = o.state
	} else {
		if e.Sink, err = dirsink.New(o.out); err != nil {
			return nil, err
		}
		e.StateDir = cmp.Or(o.state, filepath.Join(o.out, ".catalog-exporter"))
	}
	table := ""
	if o.index {
		idx, err := newIndex(ctx, getenv)
		if err != nil {
			return nil, err
		}
		e.Index, table = idx, getenv("CATALOG_TABLE")
	}
	var problems []export.Problem
	listed := 0
	e.Report = func(p export.Problem) {
		if len(problems) < maxListed {
			problems = append(problems, p)
		}
		if !o.jsonOut {
			if listed++; listed <= maxListed {
				fmt.Fprintln(stderr, p)
			}
		}
	}
	bar := newProgress(stderr, o.progress, time.Now)
	e.Progress = bar.update
	sum, err := e.Export(ctx, src)
	bar.finish()
	if err == nil && o.interactionModel != "" {
		n, merr := writeInteractionModel(ctx, src, o.interactionModel)
		if merr != nil {
			return &sum, merr
		}
		fmt.Fprintf(stderr, "interaction model %s: %d titles in %s\n", o.interactionModel, n, titleSlotType)
	}
	if !o.jsonOut && listed > maxListed {
		fmt.Fprintf(stderr, "… and %d more problems\n", listed-maxListed)
	}
	if o.jsonOut {
		out := struct {
			export.Summary
			Table    string           `json:"table,omitempty"`
			Problems []export.Problem `json:"problems"`
			Error    string           `json:"error,omitempty"`
		}{Summary: sum, Table: table, Problems: problems}
		if out.Problems == nil {
			out.Problems = []export.Problem{}
		}
		if err != nil {
			out.Error = err.Error()
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(out); jerr != nil && err == nil {
			err = jerr
		}
	} else {
		printSummary(stdout, table, sum)
	}
	return &sum, err
}

func writeSource(ctx context.Context, o options) error {
	f, err := os.Create(o.writeSource)
	if err != nil {
		return fmt.Errorf("write source: %w", err)
	}
	w := newBufferedFile(f)
	err = source.Synthetic{Works: o.synthetic, Seed: o.seed, Revision: o.revision}.WriteJSONL(ctx, w)
	if ferr := w.Close(); err == nil {
		err = ferr
	}
	return err
}

func printSummary(w io.Writer, table string, s export.Summary) {
	fmt.Fprintf(w, "source: %s\n", s.Source)
	fmt.Fprintf(w, "works: %d series, %d seasons, %d episodes, %d movies; channels: %d\n",
		s.Works[catalog.Series], s.Works[catalog.Season], s.Works[catalog.Episode], s.Works[catalog.Movie], s.Channels)
	if s.Errors+s.Warnings > 0 {
		fmt.Fprintf(w, "problems: %d errors (records left out), %d warnings (see stderr)\n", s.Errors, s.Warnings)
	}
	switch {
	case s.Refused != "" && s.Diff == (export.Diff{}):
		// refused before the diff
	case s.FirstExport:
		fmt.Fprintf(w, "diff: first export (no snapshot): %d added\n", s.Diff.Added)
	default:
		fmt.Fprintf(w, "diff: %d added, %d removed, %d updated, %d unchanged\n", s.Diff.Added, s.Diff.Removed, s.Diff.Updated, s.Diff.Unchanged)
	}
	if s.Refused != "" {
		fmt.Fprintf(w, "refused: %s\nwrote nothing\n", s.Refused)
	}
	var total int64
	for _, f := range s.Files {
		fmt.Fprintf(w, "wrote %s (%d bytes)\n", f.Key, f.Bytes)
		total += f.Bytes
	}
	if len(s.Files) > 0 {
		fmt.Fprintf(w, "bytes: %d\n", total)
	}
	if s.PagesReused > 0 {
		fmt.Fprintf(w, "pages unchanged since the last export: %d\n", s.PagesReused)
	}
	if s.EmberType != "" {
		fmt.Fprintf(w, "ember: %s\n", s.EmberType)
	}
	if s.Index != nil {
		fmt.Fprintf(w, "index: table %s: %d works put, %d replaced, %d deleted; %d channels put, %d deleted\n",
			table, s.Index.Put, s.Index.Replaced, s.Index.Deleted, s.Index.Channels, s.Index.ChannelsDeleted)
	}
	fmt.Fprintf(w, "duration: %s\n", s.Duration.Round(time.Millisecond))
}
