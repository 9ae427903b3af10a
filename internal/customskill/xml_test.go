package customskill_test

import (
	"encoding/xml"
	"strings"
)

func xmlDecoder(s string) *xml.Decoder {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	return d
}
