package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"livingroom/device-push/hub"
	"livingroom/internal/adm"
)

// maxSendBody caps what is read of a send request. It is well above 6 KB of
// data because JSON escaping may inflate it; data itself is checked against
// adm.MaxDataBytes.
const maxSendBody = 64 << 10

// rejection is an ADM error answer.
type rejection struct {
	status     int
	reason     string
	retryAfter int // seconds, for Retry-After; 0: none
}

func (r rejection) Error() string { return r.reason }

func reject(status int, reason string) *rejection { return &rejection{status: status, reason: reason} }

// handleSend is ADM's POST /messaging/registrations/{id}/messages.
func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) {
	requestID := w.Header().Get(adm.HeaderRequestID) // set by ServeHTTP
	id := r.PathValue("registrationId")

	m, rej := s.parseSend(w, r, id)
	var rc *adm.Receipt
	if rej == nil {
		rc, rej = receiptOf(r)
	}
	if rej == nil {
		m.IdempotencyKey, rej = idempotencyKeyOf(r)
	}
	delivery := ""
	if rej == nil {
		m.ID = requestID
		var err error
		if rc != nil {
			_, delivery, err = s.hub.SendWithReceipt(r.Context(), id, m, *rc)
		} else {
			_, err = s.hub.Send(r.Context(), id, m)
		}
		switch {
		case errors.Is(err, hub.ErrDuplicate):
			// A sender that names its sends learns that this one was a
			// repeat; the device got (or gets) the first copy only.
			delivery, err = adm.DeliveryDuplicate, nil
		case errors.Is(err, hub.ErrUnregistered):
			rej = reject(http.StatusBadRequest, adm.ReasonUnregistered)
		case errors.Is(err, hub.ErrTooManyReceipts):
			rej = &rejection{status: http.StatusTooManyRequests, reason: adm.ReasonMaxRateExceeded, retryAfter: 1}
		case rc != nil && r.Context().Err() != nil:
			// The sender left before the answer; nobody reads it.
			rej = reject(http.StatusServiceUnavailable, reasonInternal)
		case err != nil:
			// The store (JetStream) failed: nothing was accepted. ADM's 503
			// with Retry-After tells the sender to try again shortly.
			s.logger.Error("send failed", "registrationId", id, "requestId", requestID, "err", err)
			rej = &rejection{status: http.StatusServiceUnavailable, reason: reasonUnavailable, retryAfter: 1}
		}
	}
	if rej != nil {
		if rej.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(rej.retryAfter))
		}
		s.logger.Debug("send rejected", "registrationId", id, "requestId", requestID,
			"status", rej.status, "reason", rej.reason)
		s.sent(rej.reason)
		writeJSON(w, rej.status, adm.ErrorBody{Reason: rej.reason})
		return
	}
	if delivery == adm.DeliveryDuplicate {
		s.sent("duplicate")
	} else {
		s.sent("accepted")
	}
	w.Header().Set(adm.HeaderDataMD5, m.MD5)
	if delivery != "" {
		w.Header().Set(adm.HeaderDelivery, delivery)
		if rc, ok := s.cfg.Sends.(interface{ Receipt(string) }); ok {
			rc.Receipt(delivery)
		}
	}
	writeJSON(w, http.StatusOK, adm.SendResult{RegistrationID: id})
}

func (s *Server) sent(result string) {
	if s.cfg.Sends != nil {
		s.cfg.Sends.Sent(result)
	}
}

// parseSend checks a send request as ADM does and returns the message to
// deliver (without its id) or why it is refused.
func (s *Server) parseSend(w http.ResponseWriter, r *http.Request, id string) (hub.Message, *rejection) {
	// The auth scheme is case-insensitive (RFC 7235).
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || s.issuer.Verify(token) != nil {
		return hub.Message{}, reject(http.StatusUnauthorized, adm.ReasonAccessTokenExpired)
	}
	if wait, ok := s.limits.allow(s.cfg.Now()); !ok {
		return hub.Message{}, &rejection{status: http.StatusTooManyRequests, reason: adm.ReasonMaxRateExceeded, retryAfter: wait}
	}
	if r.Header.Get(adm.HeaderTypeVersion) != adm.TypeVersion || r.Header.Get(adm.HeaderAcceptType) != adm.AcceptType {
		return hub.Message{}, reject(http.StatusBadRequest, adm.ReasonInvalidType)
	}
	if !hub.ValidRegistrationID(id) {
		return hub.Message{}, reject(http.StatusBadRequest, adm.ReasonInvalidRegistrationID)
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer bodyBuffers.Put(buf)
	buf.Reset()
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxSendBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return hub.Message{}, reject(http.StatusRequestEntityTooLarge, adm.ReasonMessageTooLarge)
	case err != nil:
		return hub.Message{}, reject(http.StatusBadRequest, adm.ReasonInvalidData)
	}
	// The message copies what it keeps (json.RawMessage copies, data is
	// rewritten), so the buffer goes back to the pool.
	return parseMessage(buf.Bytes(), s.cfg.Now())
}

// bodyBuffers hold send bodies while they are parsed: io.ReadAll's growing
// buffers were 7% of device-push's allocated bytes at its max rate. Each is
// at most maxSendBody (MaxBytesReader), so the pool's memory is bounded by
// the concurrent sends.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// receiptOf reads the optional receipt extension (adm.HeaderReceipt): nil
// when the sender did not ask, as a plain ADM sender does not.
func receiptOf(r *http.Request) (*adm.Receipt, *rejection) {
	vs := r.Header.Values(adm.HeaderReceipt)
	if len(vs) == 0 {
		return nil, nil
	}
	if len(vs) > 1 {
		return nil, reject(http.StatusBadRequest, adm.ReasonInvalidReceipt)
	}
	rc, err := adm.ParseReceipt(vs[0])
	if err != nil {
		return nil, reject(http.StatusBadRequest, adm.ReasonInvalidReceipt)
	}
	return &rc, nil
}

// wireMessage keeps each field raw so that a bad field gets its own reason.
type wireMessage struct {
	Data             json.RawMessage `json:"data"`
	ConsolidationKey json.RawMessage `json:"consolidationKey"`
	ExpiresAfter     json.RawMessage `json:"expiresAfter"`
	MD5              json.RawMessage `json:"md5"`
	Notification     json.RawMessage `json:"notification"`
	Priority         json.RawMessage `json:"priority"`
}

func parseMessage(body []byte, now time.Time) (hub.Message, *rejection) {
	var wm wireMessage
	if err := json.Unmarshal(body, &wm); err != nil {
		return hub.Message{}, reject(http.StatusBadRequest, adm.ReasonInvalidData)
	}
	notification, ok := parseNotification(wm.Notification)
	if !ok {
		return hub.Message{}, reject(http.StatusBadRequest, adm.ReasonInvalidData)
	}
	// A message carries data, a notification, or both.
	data, rawData := map[string]string{}, []byte(nil)
	if present(wm.Data) || notification == nil {
		if data, rawData, ok = parseData(wm.Data); !ok {
			return hub.Message{}, reject(http.StatusBadRequest, adm.ReasonInvalidData)
		}
	}
	if adm.DataSize(data)+len(notification) > adm.MaxDataBytes {
		return hub.Message{}, reject(http.StatusRequestEntityTooLarge, adm.ReasonMessageTooLarge)
	}
	sum := adm.DataMD5(data)
	if given, ok := optionalString(wm.MD5); !ok || (given != "" && given != sum) {
		return hub.Message{}, reject(http.StatusBadRequest, adm.ReasonInvalidChecksum)
	}
	priority, ok := optionalString(wm.Priority)
	if !ok || (priority != "" && priority != adm.PriorityNormal && priority != adm.PriorityHigh) {
		return hub.Message{}, reject(http.StatusBadRequest, adm.ReasonInvalidData)
	}
	expiresAfter, ok := parseExpiresAfter(wm.ExpiresAfter)
	if !ok {
		return hub.Message{}, reject(http.StatusBadRequest, adm.ReasonInvalidExpiration)
	}
	key, ok := optionalString(wm.ConsolidationKey)
	if !ok || utf8.RuneCountInString(key) > adm.MaxConsolidationKeyLen {
		return hub.Message{}, reject(http.StatusBadRequest, adm.ReasonInvalidConsolidationKey)
	}
	return hub.Message{
		Data:             data,
		RawData:          rawData,
		Notification:     notification,
		Priority:         strings.TrimPrefix(priority, adm.PriorityNormal), // only high travels
		MD5:              sum,
		ConsolidationKey: key,
		SentAt:           now,
		ExpiresAt:        now.Add(time.Duration(expiresAfter) * time.Second),
	}, nil
}

// parseExpiresAfter reads expiresAfter in whole seconds, 1…31 days: absent
// or null is the default, and any JSON number with an integral value
// counts (60, 60.0, 6e1); strings, fractions and anything out of range do not.
func parseExpiresAfter(raw json.RawMessage) (int64, bool) {
	if !present(raw) {
		return adm.DefaultExpiresAfter, true
	}
	var f float64
	if raw[0] == '"' || json.Unmarshal(raw, &f) != nil || f != math.Trunc(f) || f < 1 || f > adm.MaxExpiresAfter {
		return 0, false
	}
	return int64(f), true
}

// Notification bounds: ADM's keys (title, body, icon, color, sound, tag,
// click_action, *_loc_key, *_loc_args, image fields) are strings, the
// *_loc_args arrays of strings. Unknown keys pass through, bounded.
const (
	maxNotificationKeys    = 32
	maxNotificationKeyLen  = 64
	maxNotificationArgs    = 16
	notificationArgsSuffix = "_loc_args"
)

// parseNotification checks an optional notification object and returns it
// compacted (the bytes the device gets), nil when absent.
func parseNotification(raw json.RawMessage) (json.RawMessage, bool) {
	if !present(raw) {
		return nil, true
	}
	var fields map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &fields) != nil || len(fields) == 0 || len(fields) > maxNotificationKeys {
		return nil, false
	}
	for k, v := range fields {
		if k == "" || len(k) > maxNotificationKeyLen || len(v) == 0 {
			return nil, false
		}
		if strings.HasSuffix(k, notificationArgsSuffix) {
			var args []json.RawMessage
			if v[0] != '[' || json.Unmarshal(v, &args) != nil || len(args) > maxNotificationArgs {
				return nil, false
			}
			for _, a := range args {
				if !isString(a) {
					return nil, false
				}
			}
			continue
		}
		if !isString(v) {
			return nil, false
		}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, false
	}
	return compact.Bytes(), true
}

// parseData accepts only an object whose values are all strings (a JSON
// null would otherwise slip through as ""), each key once, in valid UTF-8.
// It returns the data and the object's bytes compacted: those bytes, once
// validated here, are what the device gets. It scans the object itself
// rather than through encoding/json: one pass, a few allocations.
func parseData(raw json.RawMessage) (map[string]string, []byte, bool) {
	if !present(raw) || !utf8.Valid(raw) {
		return nil, nil, false
	}
	sc := scanner{in: raw, out: make([]byte, 0, len(raw))}
	data := make(map[string]string)
	if !sc.punct('{') {
		return nil, nil, false
	}
	if sc.punct('}') {
		return data, sc.out, sc.end()
	}
	for {
		key, ok := sc.str()
		if !ok || !sc.punct(':') {
			return nil, nil, false
		}
		value, ok := sc.str()
		if _, dup := data[key]; !ok || dup {
			return nil, nil, false
		}
		data[key] = value
		if sc.punct('}') {
			return data, sc.out, sc.end()
		}
		if !sc.punct(',') {
			return nil, nil, false
		}
	}
}

// scanner reads a JSON object of strings, copying it to out without the
// whitespace between tokens.
type scanner struct {
	in  []byte
	i   int
	out []byte
}

func (s *scanner) skipSpace() {
	for s.i < len(s.in) && (s.in[s.i] == ' ' || s.in[s.i] == '\t' || s.in[s.i] == '\n' || s.in[s.i] == '\r') {
		s.i++
	}
}

// punct consumes c (after whitespace) if it comes next.
func (s *scanner) punct(c byte) bool {
	s.skipSpace()
	if s.i < len(s.in) && s.in[s.i] == c {
		s.out = append(s.out, c)
		s.i++
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *scanner) end() bool {
	s.skipSpace()
	return s.i == len(s.in)
}

// str consumes one JSON string and returns its value; a string with escapes
// is decoded by encoding/json, which checks them.
func (s *scanner) str() (string, bool) {
	s.skipSpace()
	if s.i >= len(s.in) || s.in[s.i] != '"' {
		return "", false
	}
	from, escaped := s.i, false
	for s.i++; s.i < len(s.in); s.i++ {
		switch c := s.in[s.i]; {
		case c == '\\':
			escaped = true
			s.i++ // the escaped byte; encoding/json checks the escape below
		case c < 0x20:
			return "", false
		case c == '"':
			s.i++
			lit := s.in[from:s.i]
			s.out = append(s.out, lit...)
			if !escaped {
				return string(lit[1 : len(lit)-1]), true
			}
			var v string
			if json.Unmarshal(lit, &v) != nil {
				return "", false
			}
			return v, true
		}
	}
	return "", false
}

// optionalString decodes an absent or null field as "" and anything but a
// string as not ok.
func optionalString(raw json.RawMessage) (string, bool) {
	if !present(raw) {
		return "", true
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

// isString says whether raw is one JSON string.
func isString(raw json.RawMessage) bool {
	var s string
	return len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil
}

// idempotencyKeyOf reads the optional idempotency extension
// (adm.HeaderIdempotencyKey): "" when absent.
func idempotencyKeyOf(r *http.Request) (string, *rejection) {
	vs := r.Header.Values(adm.HeaderIdempotencyKey)
	switch {
	case len(vs) == 0:
		return "", nil
	case len(vs) > 1 || !adm.ValidIdempotencyKey(vs[0]):
		return "", reject(http.StatusBadRequest, adm.ReasonInvalidIdempotencyKey)
	}
	return vs[0], nil
}
