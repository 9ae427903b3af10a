package jetstream

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"livingroom/device-push/hub"
)

// Subjects of the message stream, one device's messages under one prefix:
//
//	adm.msg.<shard>.<device>.m        messages without a consolidation key
//	adm.msg.<shard>.<device>.k.<key>  the newest message of each consolidation key
//
// <shard> is two hex digits of a hash of the registration id (a node or a
// consumer can take a slice of the devices by subject filter, adm.msg.3f.>);
// <device> is the registration's token (below); <key> is the consolidation
// key in base64url.
const (
	subjectRoot = "adm.msg"
	shardCount  = 256
)

// token is a registration id as one subject token and one KV key. An id as
// device-push issues it becomes its 43 random base64url characters (the
// prefix is the same for all); any other id (tests, foreign ids) becomes
// "=" and its base64url bytes, which an issued id never starts with.
func token(id string) string {
	if rest, ok := strings.CutPrefix(id, hub.RegistrationPrefix); ok && hub.ValidRegistrationID(id) {
		return rest
	}
	return "=" + base64.RawURLEncoding.EncodeToString([]byte(id))
}

// idOf reverses token.
func idOf(tok string) (string, error) {
	if rest, ok := strings.CutPrefix(tok, "="); ok {
		b, err := base64.RawURLEncoding.DecodeString(rest)
		if err != nil {
			return "", fmt.Errorf("registration token %q: %w", tok, err)
		}
		return string(b), nil
	}
	id := hub.RegistrationPrefix + tok
	if !hub.ValidRegistrationID(id) {
		return "", fmt.Errorf("registration token %q: not an issued id", tok)
	}
	return id, nil
}

func shard(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("%02x", h.Sum32()%shardCount)
}

// deviceFilter matches every message subject of registration id.
func deviceFilter(id string) string {
	return subjectRoot + "." + shard(id) + "." + token(id) + ".>"
}

// messageSubject is where a message of id with consolidation key ck goes.
func messageSubject(id, ck string) string {
	base := subjectRoot + "." + shard(id) + "." + token(id)
	if ck == "" {
		return base + ".m"
	}
	return base + ".k." + base64.RawURLEncoding.EncodeToString([]byte(ck))
}

// Subjects of the acked stream: one per device, holding its watermark (the
// sequence through which it acked), the newest only.
//
//	adm.acked.<shard>.<device>
const ackedRoot = "adm.acked"

func ackedSubject(id string) string {
	return ackedRoot + "." + shard(id) + "." + token(id)
}

// idFromSubject returns the registration id of a message subject.
func idFromSubject(subj string) (string, error) {
	parts := strings.Split(subj, ".")
	if len(parts) < 5 || parts[0]+"."+parts[1] != subjectRoot {
		return "", fmt.Errorf("subject %q: not a message subject", subj)
	}
	return idOf(parts[3])
}

// The stored payload: a version byte, the acceptance and expiry instants
// (Unix nanoseconds, big endian), the message id and consolidation key (each
// a uvarint length and the bytes), then the device frame as it is sent.
const (
	payloadVersion = 1
	maxIDBytes     = 1024 // far above the ids and keys the send API accepts
)

var errPayload = errors.New("stored message malformed")

func encodePayload(m hub.Message) []byte {
	b := make([]byte, 0, 1+16+2*binary.MaxVarintLen16+len(m.ID)+len(m.ConsolidationKey)+len(m.Frame))
	b = append(b, payloadVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(m.SentAt.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(m.ExpiresAt.UnixNano()))
	b = binary.AppendUvarint(b, uint64(len(m.ID)))
	b = append(b, m.ID...)
	b = binary.AppendUvarint(b, uint64(len(m.ConsolidationKey)))
	b = append(b, m.ConsolidationKey...)
	return append(b, m.Frame...)
}

// decodePayload reads what encodePayload wrote. The frame shares b's
// memory.
func decodePayload(b []byte) (hub.Message, error) {
	if len(b) < 17 || b[0] != payloadVersion {
		return hub.Message{}, errPayload
	}
	m := hub.Message{
		SentAt:    time.Unix(0, int64(binary.BigEndian.Uint64(b[1:]))).UTC(),
		ExpiresAt: time.Unix(0, int64(binary.BigEndian.Uint64(b[9:]))).UTC(),
	}
	rest := b[17:]
	field := func() (string, bool) {
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > maxIDBytes || n > uint64(len(rest)-k) {
			return "", false
		}
		s := string(rest[k : k+int(n)])
		rest = rest[k+int(n):]
		return s, true
	}
	var ok bool
	if m.ID, ok = field(); !ok {
		return hub.Message{}, errPayload
	}
	if m.ConsolidationKey, ok = field(); !ok {
		return hub.Message{}, errPayload
	}
	m.Frame = rest
	return m, nil
}

// ttl is how long JetStream keeps m: its lifetime from acceptance, in whole
// seconds (JetStream's unit), at least one.
func ttl(m hub.Message) time.Duration {
	d := m.ExpiresAt.Sub(m.SentAt)
	if d < time.Second {
		return time.Second
	}
	return (d + time.Second - 1).Truncate(time.Second)
}
