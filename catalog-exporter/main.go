// Command catalog-exporter turns the partner's content metadata into
// Amazon's catalog files (CDF) and, with --index, the catalog index in
// DynamoDB that the skill resolves entities with.
//
//	catalog-exporter --out DIR [--source FILE] [--partner NAME] [--skip-invalid] [--index]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/source"
	"livingroom/internal/catalog"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "catalog-exporter:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "catalog-exporter:", err)
		os.Exit(1)
	}
}

type usageError struct{ error }

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog-exporter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write catalog.xml and channels.xml to (required)")
	src := fs.String("source", "", "JSON Lines metadata file (default: the bundled sample catalog)")
	partner := fs.String("partner", "Living Room", "partner name written to the CDF <Partner> element")
	skipInvalid := fs.Bool("skip-invalid", false, "write the valid records when some are invalid (default: write nothing)")
	index := fs.Bool("index", false, "also write the catalog index to DynamoDB table $CATALOG_TABLE "+
		"($DYNAMODB_ENDPOINT for a local server, $AWS_REGION, default us-east-1)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if *out == "" {
		fs.Usage()
		return usageError{errors.New("--out is required")}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	}

	open, from := source.Sample(), "bundled sample"
	if *src != "" {
		open, from = source.File(*src), *src
	}
	e := export.Exporter{
		Partner:     *partner,
		SkipInvalid: *skipInvalid,
		Report:      func(err error) { fmt.Fprintln(stderr, "invalid:", err) },
		Now:         time.Now,
	}
	table := ""
	if *index {
		idx, err := newIndex(ctx, getenv)
		if err != nil {
			return err
		}
		e.Index, table = idx, getenv("CATALOG_TABLE")
	}
	sum, err := e.Export(ctx, open, *out)
	printSummary(stdout, from, table, sum, *skipInvalid)
	return err
}

func printSummary(w io.Writer, from, table string, s export.Summary, skipInvalid bool) {
	fmt.Fprintf(w, "source: %s\n", from)
	fmt.Fprintf(w, "works: %d series, %d seasons, %d episodes, %d movies; channels: %d\n",
		s.Works[catalog.Series], s.Works[catalog.Season], s.Works[catalog.Episode], s.Works[catalog.Movie], s.Channels)
	if s.Invalid > 0 {
		verb := "rejected the catalog"
		if skipInvalid {
			verb = "skipped"
		}
		fmt.Fprintf(w, "invalid records: %d (%s; see stderr)\n", s.Invalid, verb)
	}
	var total int64
	for _, f := range s.Files {
		fmt.Fprintf(w, "wrote %s (%d bytes)\n", f.Path, f.Bytes)
		total += f.Bytes
	}
	if len(s.Files) == 0 {
		fmt.Fprintln(w, "wrote nothing")
	} else {
		fmt.Fprintf(w, "bytes: %d\n", total)
	}
	if table != "" {
		fmt.Fprintf(w, "index: %d works, %d channels in table %s\n", s.IndexedWorks, s.IndexedChannels, table)
	}
	fmt.Fprintf(w, "duration: %s\n", s.Duration.Round(time.Millisecond))
}
