package server

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"livingroom/alexa-sim/gateway"
	"livingroom/alexa-sim/nlu"
	"livingroom/alexa-sim/trace"
)

// maxHopsBody bounds one POST of trace hops.
const maxHopsBody = 64 << 10

func (s *Server) phrases(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, struct {
		Phrases []nlu.Phrase `json:"phrases"`
		Note    string       `json:"note"`
	}{nlu.Phrases(), fmt.Sprintf("\"Alexa,\" and \"please\" may be added to any phrase; at most %d words, %d bytes", nlu.MaxUtteranceWords, nlu.MaxUtteranceBytes)})
}

func (s *Server) traces(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, struct {
		Traces []trace.Trace `json:"traces"`
	}{s.cfg.Traces.Recent(20)})
}

func (s *Server) getTrace(w http.ResponseWriter, r *http.Request) {
	t, ok := s.cfg.Traces.Get(r.PathValue("id"))
	if !ok {
		s.writeJSON(w, http.StatusNotFound, errorBody{Error: "unknown_trace", Message: "no such trace (the last 200 are kept)"})
		return
	}
	s.writeJSON(w, http.StatusOK, t)
}

// addHops lets other processes (the skill, device-push, the TV) add the
// hops they timed to a trace: {"hops":[{"name","process","start","end","detail"}]}.
func (s *Server) addHops(w http.ResponseWriter, r *http.Request) {
	s.addHopsTo(w, r, r.PathValue("id"))
}

// addEndpointHops adds hops to the trace of the last directive sent to an
// endpoint within 30 s, for processes that know the endpoint but not the
// trace id (the TV app: receiving and applying the action).
func (s *Server) addEndpointHops(w http.ResponseWriter, r *http.Request) {
	id, ok := s.cfg.Traces.LatestFor(r.PathValue("endpointId"), traceWindow)
	if !ok {
		s.writeJSON(w, http.StatusNotFound, errorBody{Error: "unknown_trace", Message: "no directive to this endpoint in the last 30 s"})
		return
	}
	s.addHopsTo(w, r, id)
}

func (s *Server) addHopsTo(w http.ResponseWriter, r *http.Request, id string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHopsBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: "too_large", Message: fmt.Sprintf("body over %d bytes", maxHopsBody)})
		return
	}
	var req struct {
		Hops []trace.Hop `json:"hops"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err == nil {
		err = dec.Decode(&req)
	}
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON body")
	}
	if err != nil || len(req.Hops) == 0 {
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "body must be JSON {\"hops\":[{\"name\",\"process\",\"start\",\"end\",\"detail\"}]}"})
		return
	}
	switch err := s.cfg.Traces.AddHops(id, req.Hops...); {
	case errors.Is(err, trace.ErrUnknown):
		s.writeJSON(w, http.StatusNotFound, errorBody{Error: "unknown_trace", Message: "no such trace (the last 200 are kept)"})
	case errors.Is(err, trace.ErrFull):
		s.writeJSON(w, http.StatusConflict, errorBody{Error: "trace_full", Message: fmt.Sprintf("a trace keeps at most %d hops", trace.MaxHopsPerTrace)})
	case err != nil:
		s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: err.Error()})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// events lists what the event gateway accepted, newest last; filters:
// ?namespace=, ?name=, ?endpointId=, ?limit= (default 100).
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			s.writeJSON(w, http.StatusBadRequest, errorBody{Error: "bad_request", Message: "limit must be a positive number"})
			return
		}
		limit = n
	}
	s.writeJSON(w, http.StatusOK, struct {
		Events []gateway.Event `json:"events"`
	}{s.cfg.Events.List(gateway.EventFilter{Namespace: q.Get("namespace"), Name: q.Get("name"), EndpointID: q.Get("endpointId"), Limit: limit})})
}

//go:embed console.html
var consolePage []byte

// console serves the web page to say things and watch the trace.
func (s *Server) console(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'")
	w.Write(consolePage)
}
