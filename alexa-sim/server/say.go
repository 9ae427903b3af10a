package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"livingroom/alexa-sim/gateway"
	"livingroom/alexa-sim/nlu"
)

// maxSayBytes bounds a /v1/say body; an utterance is a sentence.
const maxSayBytes = 64 << 10

type sayRequest struct {
	Utterance  string `json:"utterance"`
	EndpointID string `json:"endpointId"`
}

type sayReply struct {
	Intent     string          `json:"intent"`
	EndpointID string          `json:"endpointId"`
	Directive  json.RawMessage `json:"directive"`
	Response   json.RawMessage `json:"response"`
	LatencyMs  float64         `json:"latencyMs"`
}

// say plays Alexa: understand the utterance, address the directive to the
// endpoint, invoke the skill, and show both sides.
func (s *Server) say(w http.ResponseWriter, r *http.Request) {
	var req sayRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSayBytes))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "body must be JSON {\"utterance\":\"…\",\"endpointId\":\"optional\"}: " + err.Error()})
		return
	}
	if strings.TrimSpace(req.Utterance) == "" {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "utterance is required"})
		return
	}

	intent, err := s.cfg.Parser.Parse(req.Utterance, s.catalog.Load())
	if err != nil {
		s.log.Info("say: not understood", "utterance", req.Utterance, "err", err)
		s.writeJSON(w, http.StatusUnprocessableEntity, errorBody{Error: "not_understood", Message: err.Error()})
		return
	}
	ep, status, fail := s.pickEndpoint(req.EndpointID)
	if fail != nil {
		s.writeJSON(w, status, *fail)
		return
	}

	directive, err := intent.Directive(nlu.Target{EndpointID: ep.EndpointID, Token: ep.Token, Cookie: ep.Cookie}, s.cfg.IDs)
	var raw []byte
	if err == nil {
		raw, err = json.Marshal(directive)
	}
	if err != nil {
		s.log.Error("say: build directive", "intent", intent, "err", err)
		s.writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal", Message: err.Error()})
		return
	}

	start := s.cfg.Now()
	reply, err := s.cfg.Invoker.Invoke(r.Context(), raw)
	latency := s.cfg.Now().Sub(start)
	log := s.log.With("utterance", req.Utterance, "intent", intent.String(), "endpointId", ep.EndpointID,
		"messageId", directive.Directive.Header.MessageID, "latency", latency)
	if err != nil {
		fail := errorBody{Error: "lambda_invoke_failed", Message: err.Error(), Directive: raw}
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
		log.Warn("say: skill reply is not JSON", "reply", truncate(reply, 200))
		s.writeJSON(w, http.StatusBadGateway, errorBody{
			Error: "lambda_invalid_response", Message: fmt.Sprintf("skill reply is not JSON: %q", truncate(reply, 200)), Directive: raw,
		})
		return
	}
	log.Info("say")
	s.writeJSON(w, http.StatusOK, sayReply{
		Intent:     intent.String(),
		EndpointID: ep.EndpointID,
		Directive:  raw,
		Response:   reply,
		LatencyMs:  float64(latency.Microseconds()) / 1000,
	})
}

// pickEndpoint finds the endpoint named, or the only one registered.
func (s *Server) pickEndpoint(id string) (gateway.Endpoint, int, *errorBody) {
	if id != "" {
		ep, ok := s.cfg.Registry.Endpoint(id)
		if !ok {
			return ep, http.StatusNotFound, &errorBody{Error: "unknown_endpoint", Message: fmt.Sprintf("no endpoint %q is registered", id), Endpoints: summaries(s.cfg.Registry.Endpoints())}
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
