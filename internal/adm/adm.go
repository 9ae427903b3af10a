// Package adm holds the wire format of Amazon Device Messaging's HTTP API
// (token and send), as device-push serves it and admclient speaks it. It has
// no dependencies beyond the standard library so both sides share it.
package adm

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"sort"
)

// Paths and header values of the ADM API.
const (
	TokenPath = "/auth/O2/token"
	// SendPathPrefix + registrationID + SendPathSuffix is the send path.
	SendPathPrefix = "/messaging/registrations/"
	SendPathSuffix = "/messages"

	HeaderTypeVersion = "X-Amzn-Type-Version"
	HeaderAcceptType  = "X-Amzn-Accept-Type"
	HeaderRequestID   = "X-Amzn-RequestId"
	HeaderDataMD5     = "X-Amzn-Data-md5"

	TypeVersion = "com.amazon.device.messaging.ADMMessage@1.0"
	AcceptType  = "com.amazon.device.messaging.ADMSendResult@1.0"

	GrantClientCredentials = "client_credentials"
	ScopeMessagingPush     = "messaging:push"

	// MaxDataBytes is the documented 6 KB limit on a message's data.
	MaxDataBytes = 6 * 1024
	// DefaultExpiresAfter is how long a message waits for an offline device
	// when the sender does not say (7 days).
	DefaultExpiresAfter = 604800
	// MaxExpiresAfter is the longest a sender may ask for (31 days).
	MaxExpiresAfter = 2678400
	// MaxConsolidationKeyLen bounds consolidationKey.
	MaxConsolidationKeyLen = 64

	// Message priorities; normal when the sender does not say.
	PriorityNormal = "normal"
	PriorityHigh   = "high"
)

// Error reasons, exactly as ADM spells them in {"reason": ...}.
const (
	ReasonInvalidRegistrationID   = "InvalidRegistrationId"
	ReasonInvalidData             = "InvalidData"
	ReasonInvalidConsolidationKey = "InvalidConsolidationKey"
	ReasonInvalidExpiration       = "InvalidExpiration"
	ReasonInvalidChecksum         = "InvalidChecksum"
	ReasonInvalidType             = "InvalidType"
	ReasonUnregistered            = "Unregistered"
	ReasonAccessTokenExpired      = "AccessTokenExpired"
	ReasonMessageTooLarge         = "MessageTooLarge"
	ReasonMaxRateExceeded         = "MaxRateExceeded"
)

// Message is the body of a send request.
type Message struct {
	Data     map[string]string `json:"data"`
	Priority string            `json:"priority,omitempty"`
	// Notification is ADM's notification object (title, body, ...).
	Notification     json.RawMessage `json:"notification,omitempty"`
	ConsolidationKey string          `json:"consolidationKey,omitempty"`
	ExpiresAfter     *int            `json:"expiresAfter,omitempty"`
	MD5              string          `json:"md5,omitempty"`
}

// SendResult is the body of a successful send.
type SendResult struct {
	RegistrationID string `json:"registrationID"`
}

// ErrorBody is the body of a failed send.
type ErrorBody struct {
	Reason string `json:"reason"`
}

// Token is the body of a successful token request.
type Token struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	TokenType   string `json:"token_type"`
}

// TokenError is the body of a failed token request.
type TokenError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// SendPath returns the send path for a registration id.
func SendPath(registrationID string) string {
	return SendPathPrefix + registrationID + SendPathSuffix
}

// DataMD5 computes ADM's checksum of data: pairs sorted by key, joined as
// "k1:v1,k2:v2", MD5 of the UTF-8 bytes, base64.
func DataMD5(data map[string]string) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// One buffer of the exact size: a growing builder was 2% of
	// device-push's allocated bytes at its max send rate.
	b := make([]byte, 0, 2*len(keys)+DataSize(data))
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, k...)
		b = append(b, ':')
		b = append(b, data[k]...)
	}
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// DataSize counts the bytes of data the way the 6 KB limit is applied here:
// the UTF-8 bytes of every key and value.
func DataSize(data map[string]string) int {
	n := 0
	for k, v := range data {
		n += len(k) + len(v)
	}
	return n
}
