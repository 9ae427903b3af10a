package hub

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// maskedPong is a pong from a client: FIN+pong, masked, payload n bytes.
func maskedPong(n int) []byte {
	return append([]byte{wsFinPong, wsMasked | byte(n), 1, 2, 3, 4}, bytes.Repeat([]byte{'p'}, n)...)
}

// TestSkipPong: only a whole, well-formed client pong at the head of the
// buffer is taken; everything else is left, byte for byte, to the
// websocket reader.
func TestSkipPong(t *testing.T) {
	text := []byte{0x81, wsMasked | 2, 1, 2, 3, 4, 'h', 'i'}
	tests := []struct {
		name     string
		in       []byte
		want     bool
		leftover int // bytes still to read afterwards
	}{
		{"empty pong", maskedPong(0), true, 0},
		{"pong with payload", maskedPong(10), true, 0},
		{"largest control payload", maskedPong(wsMaxControl), true, 0},
		{"pong then a text frame", append(maskedPong(4), text...), true, len(text)},
		{"two pongs: one at a time", append(maskedPong(1), maskedPong(2)...), true, len(maskedPong(2))},
		{"text frame", text, false, len(text)},
		{"ping", []byte{0x89, wsMasked, 1, 2, 3, 4}, false, 6},
		{"close", []byte{0x88, wsMasked | 2, 1, 2, 3, 4, 3, 232}, false, 8},
		{"pong without FIN (invalid)", []byte{0x0A, wsMasked, 1, 2, 3, 4}, false, 6},
		{"unmasked pong (a client must mask)", []byte{wsFinPong, 0}, false, 2},
		{"pong claiming 126 bytes (over the control limit)", append([]byte{wsFinPong, wsMasked | 126, 0, 126, 1, 2, 3, 4}, bytes.Repeat([]byte{'p'}, 126)...), false, 134},
		{"pong cut short", maskedPong(10)[:9], false, 9},
		{"one byte", []byte{wsFinPong}, false, 1},
		{"nothing", nil, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(bytes.NewReader(tt.in), 512)
			r := &idleReader{br: br}
			if got := r.skipPong(); got != tt.want {
				t.Fatalf("skipPong() = %v, want %v", got, tt.want)
			}
			rest := new(strings.Builder)
			if _, err := br.WriteTo(rest); err != nil {
				t.Fatal(err)
			}
			if rest.Len() != tt.leftover {
				t.Errorf("%d bytes left, want %d", rest.Len(), tt.leftover)
			}
		})
	}
}

func FuzzSkipPong(f *testing.F) {
	f.Add(maskedPong(3))
	f.Add([]byte{0x81, 0x82, 1, 2, 3, 4, 'h', 'i'})
	f.Fuzz(func(t *testing.T, in []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(in), 512)
		r := &idleReader{br: br}
		took := r.skipPong()
		rest, _ := br.Peek(br.Buffered())
		switch {
		case took && (len(in) < 6 || in[0] != wsFinPong || !bytes.Equal(rest, in[6+int(in[1]&^wsMasked):min(len(in), 512)])):
			t.Fatalf("took a pong from % x, left % x", in, rest)
		case !took && br.Buffered() != min(len(in), 512):
			t.Fatalf("took %d bytes without taking a pong", min(len(in), 512)-br.Buffered())
		}
	})
}
