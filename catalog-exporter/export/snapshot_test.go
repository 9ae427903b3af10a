package export

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "snap")
	w, err := createSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	entries := []snapEntry{{"a", entryChannel, 1}, {"b", entryWork, 1 << 63}, {"c", entryWork, 0}}
	for _, e := range entries {
		if err := w.add(e.id, e.kind, e.hash); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.add("b", entryWork, 0); err == nil {
		t.Fatal("out-of-order entry accepted")
	}
	if err := w.commit(); err != nil {
		t.Fatal(err)
	}
	r, ok, err := openSnapshot(path)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	defer r.close()
	for _, want := range entries {
		if !r.ok || r.cur != want {
			t.Fatalf("entry %+v, want %+v", r.cur, want)
		}
		r.next()
	}
	if r.ok || r.err != nil {
		t.Fatalf("after the last: ok %v err %v", r.ok, r.err)
	}
	if _, ok, err := openSnapshot(filepath.Join(t.TempDir(), "none")); ok || err != nil {
		t.Fatalf("missing snapshot: %v %v", ok, err)
	}
}

// FuzzSnapshot: a damaged snapshot reads as an error, never a panic or a
// runaway allocation.
func FuzzSnapshot(f *testing.F) {
	f.Add([]byte(snapshotMagic + "\x01a W\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte(snapshotMagic + "\xff\xff\xff\xff\x0f"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "snap")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, _, err := openSnapshot(path)
		if err != nil {
			return
		}
		defer r.close()
		for n := 0; r.ok; n++ {
			if n > len(data) {
				t.Fatal("more entries than bytes")
			}
			r.next()
		}
	})
}
