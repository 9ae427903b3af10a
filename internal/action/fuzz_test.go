package action

import (
	"encoding/json"
	"reflect"
	"testing"

	"livingroom/internal/adm"
)

// FuzzDecode feeds Decode arbitrary data (as the JSON object a device frame
// carries). Decode must never panic; whatever it accepts must re-encode
// within 6 KB to the same action.
func FuzzDecode(f *testing.F) {
	for _, tc := range valid {
		b, err := json.Marshal(tc.a.Encode())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"v":"1","id":"x","ts":"0","type":"SHOW_RESULTS","query":"q","results":"[{\"id\":\"a\",\"title\":\"\\ud800\",\"kind\":\"movie\"}]"}`))
	f.Add([]byte(`{"v":"1","id":"x","ts":"-1","type":"SEEK","deltaMs":"+5"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var data map[string]string
		if json.Unmarshal(raw, &data) != nil {
			return
		}
		a, err := Decode(data)
		if err != nil {
			return
		}
		again := a.Encode()
		if n := adm.DataSize(again); n > adm.MaxDataBytes {
			t.Fatalf("re-encoded %d bytes, over %d", n, adm.MaxDataBytes)
		}
		b, err := Decode(again)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(data))) failed: %v\ndata: %q", err, data)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("re-encoding changed the action:\nfirst  %+v\nsecond %+v", a, b)
		}
	})
}
