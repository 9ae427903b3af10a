package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"livingroom/alexa-sim/trace"
	"livingroom/internal/vsk"
)

// maxDirectiveBody bounds a POST /v1/directive body.
const maxDirectiveBody = 16 << 10

// directiveName is what a namespace or name may look like.
var directiveName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.]{0,63}$`)

type directiveRequest struct {
	Namespace  string          `json:"namespace"`
	Name       string          `json:"name"`
	EndpointID string          `json:"endpointId"`
	Payload    json.RawMessage `json:"payload"`
}

// sendDirective sends any directive to the skill the way Alexa addresses
// it, for what no utterance produces: Alexa.Discovery.Discover (no
// endpoint; the linked account's token in payload.scope), Alexa.ReportState,
// or a directive with a hand-written payload. Same reply as /v1/say.
func (s *Server) sendDirective(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDirectiveBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: "too_large", Message: fmt.Sprintf("body over %d bytes", maxDirectiveBody)})
		return
	}
	var req directiveRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err == nil {
		err = dec.Decode(&req)
	}
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err != nil {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "body must be JSON {\"namespace\",\"name\",\"endpointId\":\"optional\",\"payload\":{}}"})
		return
	}
	if !directiveName.MatchString(req.Namespace) || !directiveName.MatchString(req.Name) {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "namespace and name must be 1 to 64 letters, digits or dots"})
		return
	}
	payload := req.Payload
	if len(payload) == 0 || string(payload) == "null" {
		payload = json.RawMessage("{}")
	}
	if payload[0] != '{' {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "payload must be a JSON object"})
		return
	}
	ep, status, fail := s.pickEndpoint(req.EndpointID)
	if fail != nil {
		s.writeJSON(w, status, *fail)
		return
	}
	traceID := trace.NewID()
	s.cfg.Traces.Begin(traceID, req.Namespace+"."+req.Name)
	token, ok := s.linkedToken(w, r, ep.Token, traceID)
	if !ok {
		return
	}
	d := vsk.Directive{Header: vsk.Header{Namespace: req.Namespace, Name: req.Name, MessageID: s.cfg.IDs.MessageID(), PayloadVersion: vsk.PayloadVersion}}
	if req.Namespace == "Alexa.Discovery" && req.Name == "Discover" {
		// As Alexa sends it: no endpoint, no correlation token, the token in the payload.
		if string(payload) == "{}" {
			payload, _ = json.Marshal(struct {
				Scope vsk.Scope `json:"scope"`
			}{vsk.Scope{Type: vsk.ScopeBearerToken, Token: token}})
		}
	} else {
		d.Header.CorrelationToken = s.cfg.IDs.CorrelationToken()
		d.Endpoint = &vsk.Endpoint{Scope: &vsk.Scope{Type: vsk.ScopeBearerToken, Token: token}, EndpointID: ep.EndpointID, Cookie: ep.Cookie}
	}
	var compacted bytes.Buffer
	if err := json.Compact(&compacted, payload); err != nil {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "payload must be a JSON object"})
		return
	}
	d.Payload = compacted.Bytes()
	raw, err := marshal(vsk.Request{Directive: d})
	if err != nil {
		s.log.Error("directive: encode", "err", err)
		s.writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal", Message: "could not build the directive", TraceID: traceID})
		return
	}
	s.cfg.Traces.Address(traceID, ep.EndpointID, d.Header.MessageID)
	s.deliver(w, r, delivery{
		traceID: traceID, intent: req.Namespace + "." + req.Name, family: "raw", endpointID: ep.EndpointID,
		messageID: d.Header.MessageID, raw: raw, what: "(raw directive)",
	})
}
