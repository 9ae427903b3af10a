package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"livingroom/alexa-sim/askskill"
	"livingroom/alexa-sim/gateway"
	"livingroom/alexa-sim/nlu"
	"livingroom/alexa-sim/trace"
)

// maxSayBytes bounds a /v1/say body: an utterance of nlu.MaxUtteranceBytes,
// even written as \u escapes, and an endpoint id fit well inside.
const maxSayBytes = 8 << 10

type sayRequest struct {
	Utterance  string `json:"utterance"`
	EndpointID string `json:"endpointId"`
}

type sayReply struct {
	Intent     string          `json:"intent"`
	Family     string          `json:"family"`
	EndpointID string          `json:"endpointId"`
	Directive  json.RawMessage `json:"directive"`
	Response   json.RawMessage `json:"response"`
	// Error is set when the skill answered with an error response.
	Error     *skillError `json:"error,omitempty"`
	LatencyMs float64     `json:"latencyMs"`
	Notes     []string    `json:"notes,omitempty"`
	TraceID   string      `json:"traceId"`
	Trace     trace.Trace `json:"trace"`
	// The custom skill's answer, for family "custom-skill": what the Echo
	// says, its card, and whether the skill waits for the next turn.
	Speech      string         `json:"speech,omitempty"`
	Card        *askskill.Card `json:"card,omitempty"`
	SessionOpen *bool          `json:"sessionOpen,omitempty"`
}

// skillError is the type and message of the skill's ErrorResponse.
type skillError struct {
	Namespace string `json:"namespace"`
	Type      string `json:"type"`
	Message   string `json:"message"`
}

// say plays Alexa: understand the utterance, address the directive to the
// endpoint, invoke the skill, and show both sides with the trace.
func (s *Server) say(w http.ResponseWriter, r *http.Request) {
	var req sayRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSayBytes))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: "utterance_too_long", Message: fmt.Sprintf("body over %d bytes", maxSayBytes)})
		return
	}
	if err != nil {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "body must be JSON {\"utterance\":\"…\",\"endpointId\":\"optional\"}"})
		return
	}
	if strings.TrimSpace(req.Utterance) == "" {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "utterance is required"})
		return
	}
	ctx := r.Context()
	traceID := trace.NewID()
	s.cfg.Traces.Begin(traceID, req.Utterance)
	now := s.cfg.Now

	start := now()
	if s.cfg.CustomSkill != nil && s.cfg.CustomSkillInvoker != nil {
		if turn, ok := s.cfg.CustomSkill.Understand(req.Utterance); ok {
			s.hop(traceID, "parse", start, now(), customSkillFamily+" "+turn.Name())
			s.askCustomSkill(w, r, req, turn, traceID)
			return
		}
	}
	state := s.catalog.Load()
	intent, err := s.cfg.Parser.Parse(ctx, req.Utterance, state.index)
	parsed := now()
	s.hop(traceID, "parse", start, parsed.Add(-intent.Resolve), intent.Family)
	if intent.Resolve > 0 {
		s.hop(traceID, "resolve", parsed.Add(-intent.Resolve), parsed, strings.Join(intent.Notes, "; "))
	}
	switch {
	case errors.Is(err, nlu.ErrTooLong):
		s.log.Info("say: utterance too long", "bytes", len(req.Utterance), "traceId", traceID)
		s.writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: "utterance_too_long", Message: err.Error(), TraceID: traceID})
		return
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		s.log.Info("say: client left", "traceId", traceID)
		return
	case err != nil:
		s.log.Info("say: not understood", "utterance", truncate([]byte(req.Utterance), 200), "err", err, "traceId", traceID)
		s.writeJSON(w, http.StatusUnprocessableEntity, errorBody{Error: "not_understood", Message: err.Error(), TraceID: traceID})
		return
	}
	ep, status, fail := s.pickEndpoint(req.EndpointID)
	if fail != nil {
		fail.TraceID = traceID
		s.writeJSON(w, status, *fail)
		return
	}

	token, ok := s.linkedToken(w, r, ep.Token, traceID)
	if !ok {
		return
	}
	directive, err := intent.Directive(nlu.Target{EndpointID: ep.EndpointID, Token: token, Cookie: ep.Cookie}, s.cfg.IDs)
	var raw []byte
	if err == nil {
		raw, err = marshal(directive)
	}
	if err != nil {
		s.log.Error("say: build directive", "intent", intent, "err", err)
		s.writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal", Message: "could not build the directive", TraceID: traceID})
		return
	}
	messageID := directive.Directive.Header.MessageID
	s.cfg.Traces.Address(traceID, ep.EndpointID, messageID)
	if err := ctx.Err(); err != nil {
		s.log.Info("say: client left before the invoke", "traceId", traceID)
		return
	}

	s.deliver(w, r, delivery{
		traceID: traceID, intent: intent.String(), family: intent.Family, endpointID: ep.EndpointID,
		messageID: messageID, raw: raw, notes: intent.Notes, what: truncate([]byte(req.Utterance), 200),
	})
}

// delivery is a directive ready to send to the skill.
type delivery struct {
	traceID, intent, family, endpointID, messageID string
	raw                                            []byte
	notes                                          []string
	what                                           string // the utterance, for the log
	// invoker is the function to call; the video skill's when nil.
	invoker Invoker
	// custom is the custom skill turn sent; nil for a video skill directive.
	custom *askskill.Turn
}

// deliver invokes the skill with a directive and writes the reply: the
// directive, the skill's answer, its refusal if any, and the trace.
func (s *Server) deliver(w http.ResponseWriter, r *http.Request, d delivery) {
	ctx, now := r.Context(), s.cfg.Now
	invokeStart := now()
	invoker := cmp.Or[Invoker](d.invoker, s.cfg.Invoker)
	reply, err := invoker.Invoke(ctx, d.raw, trace.ClientContext(d.traceID, s.cfg.BaseURL))
	invokeEnd := now()
	latency := invokeEnd.Sub(invokeStart)
	log := s.log.With("utterance", d.what, "intent", d.intent, "endpointId", d.endpointID,
		"messageId", d.messageID, "latency", latency, "traceId", d.traceID)
	if err != nil {
		s.hop(d.traceID, "lambda invoke", invokeStart, invokeEnd, "failed")
		if ctx.Err() != nil {
			log.Info("say: client left during the invoke")
			return
		}
		fail := errorBody{Error: "lambda_invoke_failed", Message: err.Error(), Directive: d.raw, TraceID: d.traceID}
		if fe, ok := asFunctionError(err); ok {
			fail.Error = "lambda_function_error"
			if json.Valid(fe.Payload) {
				fail.Response = fe.Payload
			}
		}
		log.Warn("say: skill failed", "err", err)
		s.writeJSON(w, http.StatusBadGateway, fail)
		return
	}
	if !json.Valid(reply) {
		s.hop(d.traceID, "lambda invoke", invokeStart, invokeEnd, "reply is not JSON")
		log.Warn("say: skill reply is not JSON", "reply", truncate(reply, 200))
		s.writeJSON(w, http.StatusBadGateway, errorBody{
			Error: "lambda_invalid_response", Message: fmt.Sprintf("skill reply is not JSON: %q", truncate(reply, 200)), Directive: d.raw, TraceID: d.traceID,
		})
		return
	}
	var answer *askskill.Reply
	if d.custom != nil {
		a, err := s.cfg.CustomSkill.Answer(*d.custom, reply)
		if err != nil {
			s.hop(d.traceID, "lambda invoke", invokeStart, invokeEnd, "not a custom skill response")
			log.Warn("say: custom skill reply is not a response", "err", err, "reply", truncate(reply, 200))
			s.writeJSON(w, http.StatusBadGateway, errorBody{
				Error: "lambda_invalid_response", Message: "the custom skill's reply is not a custom skill response", Directive: d.raw, Response: reply, TraceID: d.traceID,
			})
			return
		}
		answer = &a
	}
	refused := errorOf(reply)
	detail := replyName(reply)
	if answer != nil {
		detail = "speech: " + truncate([]byte(answer.Speech), 80)
	}
	if refused != nil {
		detail += " " + refused.Type
	}
	s.hop(d.traceID, "lambda invoke", invokeStart, invokeEnd, detail)
	log.Info("say", "reply", detail)
	tr, _ := s.cfg.Traces.Get(d.traceID)
	out := sayReply{
		Intent:     d.intent,
		Family:     d.family,
		EndpointID: d.endpointID,
		Directive:  d.raw,
		Response:   reply,
		Error:      refused,
		LatencyMs:  float64(latency.Microseconds()) / 1000,
		Notes:      d.notes,
		TraceID:    d.traceID,
		Trace:      tr,
	}
	if answer != nil {
		out.Speech, out.Card, out.SessionOpen = answer.Speech, answer.Card, &answer.SessionOpen
	}
	s.writeJSON(w, http.StatusOK, out)
}

// linkedToken is the token a directive to an endpoint carries: the linked
// account's current one, refreshed when due. On failure it has answered.
func (s *Server) linkedToken(w http.ResponseWriter, r *http.Request, registered, traceID string) (string, bool) {
	token, err := s.cfg.Linker.Token(r.Context(), registered)
	if err != nil {
		s.log.Warn("linked account token not refreshed", "err", err, "traceId", traceID)
		s.writeJSON(w, http.StatusBadGateway, errorBody{Error: "token_refresh_failed", Message: "the linked account's token could not be refreshed; link the account again", TraceID: traceID})
		return "", false
	}
	return token, true
}

// hop records one of alexa-sim's own steps.
func (s *Server) hop(traceID, name string, start, end time.Time, detail string) {
	if err := s.cfg.Traces.AddHops(traceID, trace.Hop{Name: name, Process: trace.ProcessAlexaSim, Start: start, End: end, Detail: detail}); err != nil {
		s.log.Debug("trace hop not kept", "traceId", traceID, "hop", name, "err", err)
	}
}

// changeReportHop attaches a ChangeReport to the trace of the last
// directive sent to that endpoint: the state the TV reported after it.
func (s *Server) changeReportHop(ev gateway.Event) {
	id, ok := s.cfg.Traces.LatestFor(ev.EndpointID, traceWindow)
	if !ok {
		return
	}
	// The properties' timeOfSample is when the device API received the
	// TV's state report (its own clock): the state report hop.
	if at, ok := sampleTime(ev.Body); ok {
		if err := s.cfg.Traces.AddHops(id, trace.Hop{Name: "state report received", Process: "device-api", Start: at, End: at, Detail: "timeOfSample of the ChangeReport"}); err != nil {
			s.log.Debug("trace hop not kept", "traceId", id, "err", err)
		}
	}
	s.hop(id, "change report received", ev.ReceivedAt, ev.ReceivedAt, ev.Namespace+"."+ev.Name)
}

// traceWindow is how long after a directive hops addressed by endpoint
// (ChangeReports, the TV's) join its trace.
const traceWindow = 30 * time.Second

// sampleTime reads the latest timeOfSample of a ChangeReport's properties.
func sampleTime(body []byte) (time.Time, bool) {
	type prop struct {
		TimeOfSample string `json:"timeOfSample"`
	}
	var m struct {
		Event struct {
			Payload struct {
				Change struct {
					Properties []prop `json:"properties"`
				} `json:"change"`
			} `json:"payload"`
		} `json:"event"`
		Context struct {
			Properties []prop `json:"properties"`
		} `json:"context"`
	}
	if json.Unmarshal(body, &m) != nil {
		return time.Time{}, false
	}
	var latest time.Time
	for _, p := range append(m.Event.Payload.Change.Properties, m.Context.Properties...) {
		if t, err := time.Parse(time.RFC3339Nano, p.TimeOfSample); err == nil && t.After(latest) {
			latest = t
		}
	}
	return latest, !latest.IsZero()
}

// errorOf reads the type and message of an ErrorResponse (Alexa,
// Alexa.Video or Alexa.Authorization); nil for any other reply.
func errorOf(reply []byte) *skillError {
	var m struct {
		Event struct {
			Header struct {
				Namespace string `json:"namespace"`
				Name      string `json:"name"`
			} `json:"header"`
			Payload struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"payload"`
		} `json:"event"`
	}
	if err := json.Unmarshal(reply, &m); err != nil || m.Event.Header.Name != "ErrorResponse" {
		return nil
	}
	return &skillError{Namespace: m.Event.Header.Namespace, Type: m.Event.Payload.Type, Message: m.Event.Payload.Message}
}

// replyName is "<namespace>.<name>" of a reply, for the trace.
func replyName(reply []byte) string {
	var m struct {
		Event struct {
			Header struct {
				Namespace string `json:"namespace"`
				Name      string `json:"name"`
			} `json:"header"`
		} `json:"event"`
	}
	if err := json.Unmarshal(reply, &m); err != nil || m.Event.Header.Name == "" {
		return "reply"
	}
	return m.Event.Header.Namespace + "." + m.Event.Header.Name
}

// marshal encodes without HTML escaping, so "Law & Order" reads as said.
func marshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// pickEndpoint finds the endpoint named, or the only one registered.
func (s *Server) pickEndpoint(id string) (gateway.Endpoint, int, *errorBody) {
	if id != "" {
		ep, ok := s.cfg.Registry.Endpoint(id)
		if !ok {
			return ep, http.StatusNotFound, &errorBody{Error: "unknown_endpoint", Message: fmt.Sprintf("no endpoint %q is registered", truncate([]byte(id), 100)), Endpoints: summaries(s.cfg.Registry.Endpoints())}
		}
		return ep, 0, nil
	}
	eps := s.cfg.Registry.Endpoints()
	switch len(eps) {
	case 0:
		return gateway.Endpoint{}, http.StatusConflict, &errorBody{Error: "no_endpoint", Message: "no endpoint is registered: start a TV app (it registers through POST /v3/events)"}
	case 1:
		return eps[0], 0, nil
	}
	return gateway.Endpoint{}, http.StatusConflict, &errorBody{
		Error: "ambiguous_endpoint", Message: fmt.Sprintf("%d endpoints are registered: name one with endpointId", len(eps)), Endpoints: summaries(eps),
	}
}

func summaries(eps []gateway.Endpoint) []endpointSummary {
	out := make([]endpointSummary, len(eps))
	for i, ep := range eps {
		out[i] = endpointSummary{EndpointID: ep.EndpointID, FriendlyName: ep.FriendlyName}
	}
	return out
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
