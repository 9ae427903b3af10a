package adm_test

import (
	"strings"
	"testing"

	"livingroom/internal/adm"
)

func TestValidIdempotencyKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"a", true},
		{"amzn1.msg.0f6c:PLAY-1_x", true},
		{strings.Repeat("k", adm.MaxIdempotencyKey), true},
		{"", false},
		{strings.Repeat("k", adm.MaxIdempotencyKey+1), false},
		{"a b", false},
		{"a\x00", false},
		{"é", false},
		{"a/b", false},
		{"a*", false},
		{"a>", false},
	}
	for _, tt := range tests {
		if got := adm.ValidIdempotencyKey(tt.key); got != tt.want {
			t.Errorf("ValidIdempotencyKey(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}
