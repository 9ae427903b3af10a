package client

import (
	"reflect"
	"testing"

	"livingroom/internal/action"
	"livingroom/internal/adm"
	"livingroom/internal/push"
)

// FuzzDecodeFrames feeds the client arbitrary websocket messages. Decoding
// must never panic, and every frame it accepts must survive re-encoding.
func FuzzDecodeFrames(f *testing.F) {
	play := action.Action{ID: "a1", Type: action.PlayContent, Content: &action.Content{ID: "c1", Title: "Late"}}.Encode()
	results := action.Action{ID: "a2", Type: action.ShowResults, Query: "q", Results: []action.Result{{ID: "m", Title: "M", Kind: action.KindMovie}}}.Encode()
	for _, fr := range []push.Frame{
		{Type: push.TypeRegistered, RegistrationID: "amzn1.adm-registration.v3.x"},
		{Type: push.TypeMessage, MessageID: "m1", Data: play, MD5: adm.DataMD5(play)},
		{Type: push.TypeMessage, MessageID: "m2", Data: results},
	} {
		b, err := push.Encode(fr)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(append(append(b, '\n'), b...))
	}
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		frames, _ := decodeFrames(msg)
		for _, fr := range frames {
			b, err := push.Encode(fr)
			if err != nil {
				t.Fatalf("re-encode %+v: %v", fr, err)
			}
			again, err := push.Decode(b)
			if err != nil {
				t.Fatalf("decode of re-encoded frame: %v", err)
			}
			if !reflect.DeepEqual(normalize(again), normalize(fr)) {
				t.Fatalf("frame changed:\n got %+v\nwant %+v", again, fr)
			}
			_, _ = action.Decode(fr.Data) // what the app does next: must not panic
		}
	})
}

// normalize treats an empty data map like none (omitempty drops it).
func normalize(f push.Frame) push.Frame {
	if len(f.Data) == 0 {
		f.Data = nil
	}
	return f
}
