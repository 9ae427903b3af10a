package nlu

import (
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
	payload, err := json.Marshal(i.Payload)
	if err != nil {
		return vsk.Request{}, fmt.Errorf("encode %s payload: %w", i, err)
	}
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
