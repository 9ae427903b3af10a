// Command fleetload gives every TV of a fleet (`tvapp-sim --fleet N`) a
// voice command through alexa-sim, the way the load tools use the fleet:
// it waits until every TV is registered, says the utterance to each TV's
// endpoint (a few at a time), waits until every TV received its command,
// and prints the figures: registration time, replies by type, reply
// latency percentiles, commands received and applied, and the fleet
// process's memory.
//
// Usage: fleetload [--fleet URL] [--alexa URL] [--utterance TEXT] [--concurrency N] [--timeout D]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fleetload:", err)
		os.Exit(1)
	}
}

type summary struct {
	Size             int   `json:"size"`
	Registered       int   `json:"registered"`
	Connected        int   `json:"connected"`
	CommandsReceived int64 `json:"commandsReceived"`
	CommandsApplied  int64 `json:"commandsApplied"`
	ReadyAfterMs     int64 `json:"readyAfterMs"`
	Memory           struct {
		RSSBytes   int64 `json:"rssBytes"`
		Goroutines int   `json:"goroutines"`
	} `json:"memory"`
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("fleetload", flag.ContinueOnError)
	fleetURL := fs.String("fleet", "http://127.0.0.1:8401", "the fleet's tvapp-sim")
	alexaURL := fs.String("alexa", "http://127.0.0.1:8300", "alexa-sim")
	utterance := fs.String("utterance", "watch The Handmaid's Tale", "what every TV is told")
	concurrency := fs.Int("concurrency", 4, "utterances in flight")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *concurrency < 1 || *concurrency > 256 {
		return errors.New("--concurrency: 1 to 256")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

	// 1. Every TV registered.
	began := time.Now()
	var s summary
	for {
		if err := getJSON(ctx, hc, *fleetURL+"/v1/fleet", &s); err != nil {
			return err
		}
		if s.Size > 0 && s.Registered == s.Size {
			break
		}
		if err := pause(ctx, time.Second); err != nil {
			return fmt.Errorf("waiting for registration (%d of %d): %w", s.Registered, s.Size, err)
		}
	}
	fmt.Fprintf(out, "fleet: %d TVs registered (ready %.1f s after the fleet started; waited %.1f s); RSS %.0f MB, %d goroutines\n",
		s.Size, float64(s.ReadyAfterMs)/1000, time.Since(began).Seconds(), float64(s.Memory.RSSBytes)/(1<<20), s.Memory.Goroutines)
	before := s.CommandsReceived

	// 2. The endpoints.
	var ids []string
	for offset := 0; offset < s.Size; offset += 1000 {
		var page struct {
			TVs []struct {
				EndpointID string `json:"endpointId"`
			} `json:"tvs"`
		}
		if err := getJSON(ctx, hc, fmt.Sprintf("%s/v1/fleet/tvs?offset=%d&limit=1000", *fleetURL, offset), &page); err != nil {
			return err
		}
		for _, tv := range page.TVs {
			ids = append(ids, tv.EndpointID)
		}
	}

	// 3. One utterance per TV.
	var mu sync.Mutex
	replies := map[string]int{}
	latencies := make([]time.Duration, 0, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(*concurrency)
	sendBegan := time.Now()
	for _, id := range ids {
		g.Go(func() error {
			t0 := time.Now()
			kind, err := say(gctx, hc, *alexaURL, *utterance, id)
			if err != nil {
				return err
			}
			mu.Lock()
			replies[kind]++
			latencies = append(latencies, time.Since(t0))
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	sendTook := time.Since(sendBegan)
	slices.Sort(latencies)
	fmt.Fprintf(out, "sent %d utterances %q in %.1f s (%.0f/s, %d at a time); reply p50 %v p99 %v max %v\n",
		len(ids), *utterance, sendTook.Seconds(), float64(len(ids))/sendTook.Seconds(), *concurrency,
		pct(latencies, 50), pct(latencies, 99), latencies[len(latencies)-1].Round(time.Millisecond))
	fmt.Fprintf(out, "replies: %v\n", replies)

	// 4. Every TV received its command.
	for {
		if err := getJSON(ctx, hc, *fleetURL+"/v1/fleet", &s); err != nil {
			return err
		}
		if s.CommandsReceived-before >= int64(len(ids)) {
			break
		}
		if err := pause(ctx, 200*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for delivery (%d of %d): %w", s.CommandsReceived-before, len(ids), err)
		}
	}
	fmt.Fprintf(out, "delivered: %d commands received, %d applied in all; %d TVs connected; RSS %.0f MB, %d goroutines\n",
		s.CommandsReceived, s.CommandsApplied, s.Connected, float64(s.Memory.RSSBytes)/(1<<20), s.Memory.Goroutines)
	return nil
}

func say(ctx context.Context, hc *http.Client, alexaURL, utterance, endpointID string) (string, error) {
	body, _ := json.Marshal(map[string]string{"utterance": utterance, "endpointId": endpointID})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, alexaURL+"/v1/say", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("say to %s: %w", endpointID, err)
	}
	defer resp.Body.Close()
	var r struct {
		Response struct {
			Event struct {
				Header struct{ Name string } `json:"header"`
			} `json:"event"`
		} `json:"response"`
		Error *struct{ Type string } `json:"error"`
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("HTTP %d", resp.StatusCode), nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&r); err != nil {
		return "", fmt.Errorf("say to %s: %w", endpointID, err)
	}
	if r.Error != nil {
		return r.Error.Type, nil
	}
	return r.Response.Event.Header.Name, nil
}

func getJSON(ctx context.Context, hc *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(v)
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)].Round(time.Millisecond)
}
