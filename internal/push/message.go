package push

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Message is a message frame whose data and notification are JSON that the
// sender's side already validated: EncodeMessage copies those bytes into
// the frame as they are, with no decoding and re-encoding.
type Message struct {
	MessageID string
	// Data is a compact JSON object of strings; empty or "{}": none.
	Data json.RawMessage
	// Notification is a compact JSON object; empty: none.
	Notification     json.RawMessage
	Priority         string
	MD5              string
	ConsolidationKey string
	SentAtMs         int64
}

// EncodeMessage appends m's frame to dst: the same fields, in the same
// order and with the same omissions, as Encode of the equivalent Frame.
func EncodeMessage(dst []byte, m Message) []byte {
	dst = append(dst, `{"type":"message"`...)
	dst = appendField(dst, "messageId", m.MessageID)
	if len(m.Data) > 0 && string(m.Data) != "{}" {
		dst = append(dst, `,"data":`...)
		dst = append(dst, m.Data...)
	}
	if len(m.Notification) > 0 {
		dst = append(dst, `,"notification":`...)
		dst = append(dst, m.Notification...)
	}
	dst = appendField(dst, "priority", m.Priority)
	dst = appendField(dst, "md5", m.MD5)
	dst = appendField(dst, "consolidationKey", m.ConsolidationKey)
	if m.SentAtMs != 0 {
		dst = append(dst, `,"sentAtMs":`...)
		dst = strconv.AppendInt(dst, m.SentAtMs, 10)
	}
	return append(dst, '}')
}

// appendField appends ,"name":"value" unless value is empty (omitempty).
func appendField(dst []byte, name, value string) []byte {
	if value == "" {
		return dst
	}
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return appendString(dst, value)
}

// appendString appends s as a JSON string as encoding/json writes it (HTML
// characters and invalid UTF-8 escaped or replaced alike); plain ASCII, the
// common case (ids, checksums), is copied without a detour.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always marshals
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
