package adm_test

import (
	"testing"
	"time"

	"livingroom/internal/adm"
)

func TestParseReceipt(t *testing.T) {
	ok := []struct {
		in   string
		want adm.Receipt
	}{
		{"wait=0", adm.Receipt{}},
		{"wait=250", adm.Receipt{Wait: 250 * time.Millisecond}},
		{"wait=2000;discard", adm.Receipt{Wait: 2 * time.Second, Discard: true}},
		{" discard ; wait=5 ", adm.Receipt{Wait: 5 * time.Millisecond, Discard: true}},
		{"discard", adm.Receipt{Discard: true}},
	}
	for _, tt := range ok {
		got, err := adm.ParseReceipt(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseReceipt(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"", ";", "wait", "wait=", "wait=-1", "wait=2001", "wait=1.5", "wait=1e3", "wait=0x10",
		"wait=99999999999999999999", "wait=1;wait=2", "discard;discard", "discard=1", "WAIT=1",
		"wait=1,discard", "keep", "wait=1;" + string(make([]byte, 64)),
	}
	for _, in := range bad {
		if r, err := adm.ParseReceipt(in); err == nil {
			t.Errorf("ParseReceipt(%q) = %+v, want an error", in, r)
		}
	}
}

func TestReceiptRoundTrip(t *testing.T) {
	for _, r := range []adm.Receipt{{}, {Wait: time.Second}, {Wait: 300 * time.Millisecond, Discard: true}} {
		got, err := adm.ParseReceipt(r.String())
		if err != nil || got != r {
			t.Errorf("ParseReceipt(%q) = %+v, %v; want %+v", r.String(), got, err, r)
		}
	}
}

// FuzzParseReceipt: any header value is refused or read into a receipt
// within bounds that writes back to a value read the same.
func FuzzParseReceipt(f *testing.F) {
	for _, s := range []string{"wait=250;discard", "discard", "wait=2000", "wait=;", " wait = 1 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r, err := adm.ParseReceipt(v)
		if err != nil {
			return
		}
		if r.Wait < 0 || r.Wait > adm.MaxReceiptWait {
			t.Fatalf("wait %v out of bounds from %q", r.Wait, v)
		}
		if again, err := adm.ParseReceipt(r.String()); err != nil || again != r {
			t.Fatalf("%q → %+v → %q → %+v, %v", v, r, r.String(), again, err)
		}
	})
}
