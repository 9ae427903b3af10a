package source_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"livingroom/catalog-exporter/source"
)

// FuzzLines feeds arbitrary bytes to the JSON Lines source: it never
// panics, walks every non-blank line once in id order, and a record it
// decodes encodes back to the same record.
func FuzzLines(f *testing.F) {
	f.Add([]byte(`{"type":"movie","id":"m","title":"T","availability":[{"offer":"free","regions":["US"]}]}` + "\n" + `{"type":"channel","id":"c","name":"C","schedule":[{"start":"2026-12-01T00:00:00Z","minutes":30,"title":"News"}]}`))
	f.Add([]byte("not json\n\n{}\n{\"id\":1}\n"))
	f.Add([]byte(`{"type":"episode","id":"e","seriesId":"s","seasonId":"x","season":1,"episode":2,"unknown":true}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := source.Bytes(context.Background(), "fuzz", data)
		if err != nil {
			return // e.g. a line over MaxLine
		}
		prev, n := "", 0
		err = l.Walk(context.Background(), func(r source.Record) error {
			n++
			if r.Err != nil {
				return nil
			}
			if r.ID() < prev {
				t.Fatalf("%q after %q", r.ID(), prev)
			}
			prev = r.ID()
			var buf bytes.Buffer
			if err := source.Encode(&buf, r); err != nil {
				t.Fatal(err)
			}
			again, err := source.Bytes(context.Background(), "again", buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			return again.Walk(context.Background(), func(r2 source.Record) error {
				if r2.Err != nil || !reflect.DeepEqual(r2.Work, r.Work) || !reflect.DeepEqual(r2.Channel, r.Channel) {
					t.Fatalf("round trip: %+v → %s → %+v", r, buf.Bytes(), r2)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != l.Len() {
			t.Fatalf("walked %d of %d lines", n, l.Len())
		}
	})
}
