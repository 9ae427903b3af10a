package server

import (
	"fmt"
	"net/http"
	"sort"

	"livingroom/alexa-sim/askskill"
)

// customSkillFamily is the /v1/say family of utterances for the custom skill.
const customSkillFamily = "custom-skill"

// askCustomSkill sends a turn to the custom skill the way an Echo speaker
// does: on behalf of the account of the session, of the endpoint named,
// or of the only account with TVs; with no token when nothing is linked
// (the skill then asks to link the account).
func (s *Server) askCustomSkill(w http.ResponseWriter, r *http.Request, req sayRequest, turn askskill.Turn, traceID string) {
	token, endpointID, ok := s.customSkillToken(w, r, req, turn, traceID)
	if !ok {
		return
	}
	raw, err := s.cfg.CustomSkill.Request(turn, token)
	if err != nil {
		s.log.Error("say: build custom skill request", "err", err, "traceId", traceID)
		s.writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal", Message: "could not build the request", TraceID: traceID})
		return
	}
	s.cfg.Traces.Address(traceID, endpointID, "")
	s.deliver(w, r, delivery{
		traceID: traceID, intent: turn.Name(), family: customSkillFamily, endpointID: endpointID,
		raw: raw, what: truncate([]byte(req.Utterance), 200), invoker: s.cfg.CustomSkillInvoker, custom: &turn,
	})
}

// customSkillToken picks the account a custom skill turn speaks for. On
// failure it has answered.
func (s *Server) customSkillToken(w http.ResponseWriter, r *http.Request, req sayRequest, turn askskill.Turn, traceID string) (token, endpointID string, ok bool) {
	if !turn.Addressed && req.EndpointID == "" {
		if tok, open := s.cfg.CustomSkill.SessionToken(); open {
			return tok, "", true
		}
	}
	registered := ""
	if req.EndpointID != "" {
		ep, status, fail := s.pickEndpoint(req.EndpointID)
		if fail != nil {
			fail.TraceID = traceID
			s.writeJSON(w, status, *fail)
			return "", "", false
		}
		registered, endpointID = ep.Token, ep.EndpointID
	} else {
		eps := s.cfg.Registry.Endpoints()
		tokens := map[string]bool{}
		for _, ep := range eps {
			if ep.Token != "" {
				tokens[ep.Token] = true
			}
		}
		switch len(tokens) {
		case 0:
			return "", "", true // nobody linked: the skill asks to link
		case 1:
			for t := range tokens {
				registered = t
			}
		default:
			sort.Slice(eps, func(i, j int) bool { return eps[i].EndpointID < eps[j].EndpointID })
			s.writeJSON(w, http.StatusConflict, errorBody{
				Error: "ambiguous_account", TraceID: traceID, Endpoints: summaries(eps),
				Message: fmt.Sprintf("%d linked accounts have TVs: name an endpointId to speak as its account", len(tokens)),
			})
			return "", "", false
		}
	}
	token, ok = s.linkedToken(w, r, registered, traceID)
	return token, endpointID, ok
}
