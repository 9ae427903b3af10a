package nlu

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"livingroom/internal/vsk"
)

// Target is the endpoint a directive is for, as it was registered.
type Target struct {
	EndpointID string
	// Token is the linked account's token, sent as the BearerToken scope.
	Token  string
	Cookie map[string]string
}

// IDs makes the per-directive identifiers; tests inject fixed ones.
type IDs struct {
	MessageID        func() string
	CorrelationToken func() string
}

// RandomIDs makes identifiers the way Alexa's look: a UUID message id and
// a long opaque base64 correlation token.
func RandomIDs() IDs {
	return IDs{MessageID: uuid.NewString, CorrelationToken: randomCorrelationToken}
}

func randomCorrelationToken() string {
	b := make([]byte, 100)
	rand.Read(b) // never fails since Go 1.24
	return base64.StdEncoding.EncodeToString(b)
}

// Directive addresses the intent to an endpoint, as Alexa invokes the skill.
func (i Intent) Directive(t Target, ids IDs) (vsk.Request, error) {
	// Not HTML-escaped: "Law & Order" reaches the skill as Alexa writes it.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(i.Payload); err != nil {
		return vsk.Request{}, fmt.Errorf("encode %s payload: %w", i, err)
	}
	payload := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return vsk.Request{Directive: vsk.Directive{
		Header: vsk.Header{
			Namespace:        i.Namespace,
			Name:             i.Name,
			MessageID:        ids.MessageID(),
			CorrelationToken: ids.CorrelationToken(),
			PayloadVersion:   vsk.PayloadVersion,
		},
		Endpoint: &vsk.Endpoint{
			Scope:      &vsk.Scope{Type: vsk.ScopeBearerToken, Token: t.Token},
			EndpointID: t.EndpointID,
			Cookie:     t.Cookie,
		},
		Payload: payload,
	}}, nil
}
