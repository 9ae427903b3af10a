// Command stack runs the whole local stack until Ctrl-C (`make run`),
// restarting a service that exits (logged on stderr).
// Addresses and credentials come from the environment; see the README.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"livingroom/alexa-sim/prompt"
	"livingroom/infra/localstack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "stack:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := localstack.ConfigFromEnv(os.Getenv)
	began := time.Now()
	fmt.Println("Starting Living Room: dynalite, catalog export, device-push, Lambdas, alexa-sim, tvapp-sim ...")
	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	s, err := localstack.Start(startCtx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		fmt.Println("Stopping Living Room ...")
		s.Stop()
		fmt.Println("Stopped.")
	}()
	s.Banner(os.Stdout, time.Since(began))
	fmt.Println("READY") // the end-to-end tests wait for this line
	if offerPrompt(os.Stdin, os.Getenv) {
		go func() {
			if err := prompt.Run(ctx, os.Stdin, os.Stdout, &http.Client{}, "http://"+cfg.AlexaSimAddr); err != nil {
				logger.Warn("prompt ended", "err", err)
			}
			if ctx.Err() == nil {
				fmt.Println("Prompt closed; the stack keeps running. Press Ctrl-C to stop everything.")
			}
		}()
	}
	select {
	case <-ctx.Done():
		return nil
	case p := <-s.Crashed():
		return fmt.Errorf("gave up restarting: %s", localstack.Describe(p))
	}
}

// offerPrompt says whether to read utterances from stdin: only when it is
// a terminal (not under tests or a pipe) and STACK_PROMPT is not "off".
func offerPrompt(stdin *os.File, getenv func(string) string) bool {
	return getenv("STACK_PROMPT") != "off" && term.IsTerminal(int(stdin.Fd()))
}
