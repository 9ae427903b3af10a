package push_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"livingroom/internal/push"
)

// EncodeMessage writes the bytes Encode writes for the same frame, when the
// data JSON is as encoding/json would write it (keys sorted, compact).
func TestEncodeMessageMatchesEncode(t *testing.T) {
	tests := []push.Frame{
		{Type: push.TypeMessage, MessageID: "00000000-0000-4000-8000-000000000001", Data: map[string]string{"a": "1", "b": "2"}, MD5: "Xvb142mSeo7pSjdDDASyeA==", SentAtMs: 1767323045000},
		{Type: push.TypeMessage, MessageID: "m", Data: map[string]string{}, Notification: json.RawMessage(`{"title":"t"}`), Priority: "high"},
		{Type: push.TypeMessage, MessageID: "m", Data: map[string]string{"k": "<b>Amélie & \"co\"\n</b>"}, ConsolidationKey: "clé <&>\"\\\t"},
		{Type: push.TypeMessage, MessageID: "bad \xff utf8", ConsolidationKey: "\u2028"},
		{Type: push.TypeMessage},
	}
	for _, f := range tests {
		want, err := push.Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		var data json.RawMessage
		if f.Data != nil {
			data, _ = json.Marshal(f.Data)
		}
		got := push.EncodeMessage(nil, push.Message{
			MessageID: f.MessageID, Data: data, Notification: f.Notification, Priority: f.Priority,
			MD5: f.MD5, ConsolidationKey: f.ConsolidationKey, SentAtMs: f.SentAtMs,
		})
		if string(got) != string(want) {
			t.Errorf("EncodeMessage\n got %s\nwant %s", got, want)
		}
	}
}

// The data bytes travel as given (the sender's key order and escapes) and
// decode to the same data.
func TestEncodeMessageKeepsDataBytes(t *testing.T) {
	data := json.RawMessage(`{"z":"1","a":"<\u00e9>"}`)
	b := push.EncodeMessage(nil, push.Message{MessageID: "m", Data: data})
	if want := `{"type":"message","messageId":"m","data":{"z":"1","a":"<\u00e9>"}}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	f, err := push.Decode(b)
	if err != nil || !reflect.DeepEqual(f.Data, map[string]string{"z": "1", "a": "<é>"}) {
		t.Errorf("decoded %+v, %v", f, err)
	}
}

// FuzzEncodeMessage: any strings make a frame that decodes to them (as
// encoding/json reads them back).
func FuzzEncodeMessage(f *testing.F) {
	f.Add("m-1", "v", "key", "high", int64(1767323045000))
	f.Add("\xff<&>", "\n\"\\", "\u2028", "", int64(-1))
	f.Fuzz(func(t *testing.T, id, value, key, priority string, sentAt int64) {
		data, _ := json.Marshal(map[string]string{"k": value})
		b := push.EncodeMessage(nil, push.Message{MessageID: id, Data: data, Priority: priority, ConsolidationKey: key, SentAtMs: sentAt})
		want, _ := push.Encode(push.Frame{Type: push.TypeMessage, MessageID: id, Data: map[string]string{"k": value}, Priority: priority, ConsolidationKey: key, SentAtMs: sentAt})
		if string(b) != string(want) {
			t.Fatalf("EncodeMessage %s\n        Encode %s", b, want)
		}
	})
}
