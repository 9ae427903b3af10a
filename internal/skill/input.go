package skill

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"livingroom/internal/account"
	"livingroom/internal/device"
	"livingroom/internal/vsk"
)

// Bounds of what a directive may carry. Replies echo the correlation token
// and the endpoint, so these also bound every reply; anything over a bound
// is dropped before the reply is built.
const (
	maxHeaderField      = 128     // namespace, name, messageId
	maxCorrelationToken = 8 << 10 // Alexa's are about 1 KB
	maxTokenLen         = 4 << 10 // access tokens of account linking
	maxCookieEntries    = 16      // Alexa allows 5 KB of cookie in all
	maxCookieValue      = 1 << 10 // per value
	maxTitleBytes       = 512     // a spoken title; Alexa's longest are ~200
	maxEntities         = 32      // entities in a search
	maxEntityValueBytes = 1 << 10 // any other entity value
	cookieRegistration  = "applicationInstanceId"
)

// checkEnvelope checks the header and endpoint of a directive. What cannot
// be echoed safely is removed from d, so that the error reply built from d
// stays bounded and schema-valid. Errors never quote the input.
func checkEnvelope(d *vsk.Directive) error {
	h := &d.Header
	if !printable(h.CorrelationToken, maxCorrelationToken) {
		h.CorrelationToken = ""
		return fmt.Errorf("correlationToken over %d bytes or not printable: %w", maxCorrelationToken, errInvalidDirective)
	}
	if e := d.Endpoint; e != nil {
		if e.EndpointID != "" && !device.ValidEndpointID(e.EndpointID) {
			d.Endpoint = nil
			return fmt.Errorf("endpointId not an Alexa endpoint id: %w", errInvalidDirective)
		}
		if s := e.Scope; s != nil && (len(s.Token) > maxTokenLen || !printable(s.Token, maxTokenLen)) {
			e.Scope = nil
			return fmt.Errorf("scope token over %d bytes or not printable: %w", maxTokenLen, account.ErrNotFound)
		}
		if len(e.Cookie) > maxCookieEntries {
			e.Cookie = nil
		}
		for k, v := range e.Cookie {
			if len(k) > maxCookieValue || len(v) > maxCookieValue {
				delete(e.Cookie, k)
			}
		}
		if reg, ok := e.Cookie[cookieRegistration]; ok && !device.ValidRegistrationID(reg) {
			delete(e.Cookie, cookieRegistration)
		}
	}
	if !printable(h.Namespace, maxHeaderField) || !printable(h.Name, maxHeaderField) ||
		h.MessageID == "" || !printable(h.MessageID, maxHeaderField) {
		return fmt.Errorf("header namespace, name or messageId missing, over %d bytes or not printable: %w", maxHeaderField, errInvalidDirective)
	}
	return nil
}

// printable reports whether s is at most max bytes of printable ASCII.
func printable(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// speakable reports whether a spoken value is within bounds and names
// something: valid UTF-8, no control characters, at least one letter or
// digit. Titles of only punctuation or emoji match nothing.
func speakable(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) {
		return false
	}
	word := false
	for _, r := range s {
		switch {
		case unicode.IsControl(r):
			return false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = true
		}
	}
	return word
}
