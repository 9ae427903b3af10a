package fault

import (
	"testing"
	"time"
)

// FuzzDecodeRequest: any body either decodes to a request that validates
// or not, without panicking, and a valid one injects.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{`{"fault":"offline"}`, `{"fault":"slow_ack","delayMs":100}`, `{"fault":"clock_skew","skewMs":-5}`, `{`, `[]`, `{"fault":"connection_drop","durationMs":1e3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := decodeRequest(b)
		if err != nil {
			return
		}
		c := New(func() time.Time { return time.Unix(0, 0) })
		if req.Validate() == nil {
			if err := c.Inject(req); err != nil {
				t.Fatalf("valid request %+v not injected: %v", req, err)
			}
		}
	})
}
