package adm_test

import (
	"testing"

	"livingroom/internal/adm"
)

// DataMD5 is ADM's checksum of data: base64 of the MD5 of "k:v" pairs in
// key order, joined with commas. Expected values computed outside Go
// (Python's hashlib over the same strings).
func TestDataMD5(t *testing.T) {
	tests := []struct {
		name string
		data map[string]string
		want string
	}{
		{"two keys, sorted", map[string]string{"b": "2", "a": "1"}, "Xvb142mSeo7pSjdDDASyeA=="},        // "a:1,b:2"
		{"empty", map[string]string{}, "1B2M2Y8AsgTpgAmY7PhCfg=="},                                     // ""
		{"one key", map[string]string{"k": "v"}, "JYK805Ih3MF/ExsUU6c45g=="},                           // "k:v"
		{"UTF-8 and an empty value", map[string]string{"z": "", "é": "ü"}, "d8FnxCglbOdh/tTXD0dh/w=="}, // "z:,é:ü" (bytes order)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := adm.DataMD5(tt.data); got != tt.want {
				t.Errorf("DataMD5 = %s, want %s", got, tt.want)
			}
		})
	}
}
