// Package prompt is a terminal prompt for alexa-sim: each line typed is
// said to the TV through POST /v1/say, and the answer is printed on one
// line. The local stack runner offers it when started from a terminal.
package prompt

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxLine bounds what is read of one typed line; the rest is dropped, and
// alexa-sim refuses long utterances anyway.
const maxLine = 4 << 10

// timeout bounds one utterance round trip; Alexa gives a skill about 8 s.
const timeout = 10 * time.Second

// Run reads utterances from in until it ends, ctx is done or "quit" is
// typed, and prints what alexa-sim did with each to out. baseURL is
// alexa-sim's, e.g. http://127.0.0.1:8300.
func Run(ctx context.Context, in io.Reader, out io.Writer, client *http.Client, baseURL string) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		r := bufio.NewReaderSize(in, maxLine)
		for {
			line, err := readLine(r)
			if err != nil {
				readErr <- err
				close(lines)
				return
			}
			select {
			case lines <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	fmt.Fprintf(out, "Say something to the TV (\"help\" lists phrases, \"quit\" ends the prompt; the console is %s/)\n> ", baseURL)
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				if err := <-readErr; !errors.Is(err, io.EOF) {
					return fmt.Errorf("read prompt: %w", err)
				}
				return nil
			}
			switch line = strings.TrimSpace(line); line {
			case "":
			case "quit", "exit":
				return nil
			case "help", "?":
				help(ctx, out, client, baseURL)
			default:
				fmt.Fprintln(out, say(ctx, client, baseURL, line))
			}
			fmt.Fprint(out, "> ")
		}
	}
}

// readLine reads one line, dropping what is beyond maxLine.
func readLine(r *bufio.Reader) (string, error) {
	line, isPrefix, err := r.ReadLine()
	if err != nil {
		return "", err
	}
	out := string(line)
	for isPrefix {
		if _, isPrefix, err = r.ReadLine(); err != nil {
			return out, nil
		}
	}
	return out, nil
}

// say sends one utterance and describes the outcome.
func say(ctx context.Context, client *http.Client, baseURL, utterance string) string {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"utterance": utterance})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/say", bytes.NewReader(body))
	if err != nil {
		return "  ✗ " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "  ✗ alexa-sim did not answer: " + err.Error()
	}
	defer resp.Body.Close()
	var reply struct {
		Intent    string  `json:"intent"`
		LatencyMs float64 `json:"latencyMs"`
		TraceID   string  `json:"traceId"`
		Notes     []string
		Response  struct {
			Event struct {
				Header struct{ Namespace, Name string } `json:"header"`
			} `json:"event"`
		} `json:"response"`
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&reply); err != nil {
		return fmt.Sprintf("  ✗ %s: unreadable reply", resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		var code string
		_ = json.Unmarshal(reply.Error, &code)
		return fmt.Sprintf("  ✗ %d %s: %s", resp.StatusCode, code, reply.Message)
	}
	h := reply.Response.Event.Header
	line := fmt.Sprintf("  → %s ⇒ %s.%s in %.1f ms (trace %s)", reply.Intent, h.Namespace, h.Name, reply.LatencyMs, reply.TraceID)
	var refused struct{ Type, Message string }
	if len(reply.Error) > 0 && json.Unmarshal(reply.Error, &refused) == nil && refused.Type != "" {
		line += fmt.Sprintf("\n  ✗ the skill refused: %s (%s)", refused.Type, refused.Message)
	}
	for _, n := range reply.Notes {
		line += "\n    " + n
	}
	return line
}

// help prints the phrases alexa-sim understands.
func help(ctx context.Context, out io.Writer, client *http.Client, baseURL string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/v1/phrases", nil)
	if err != nil {
		fmt.Fprintln(out, "  ✗", err)
		return
	}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintln(out, "  ✗ alexa-sim did not answer:", err)
		return
	}
	defer resp.Body.Close()
	var list struct {
		Phrases []struct{ Say, Example string }
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&list); err != nil {
		fmt.Fprintln(out, "  ✗ unreadable phrase list")
		return
	}
	for _, p := range list.Phrases {
		fmt.Fprintf(out, "  %-60s e.g. %s\n", p.Say, p.Example)
	}
}
