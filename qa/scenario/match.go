package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Mismatch is one expectation that does not hold.
type Mismatch struct {
	Path string
	Want string
	Got  string
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s: want %s, got %s", m.Path, m.Want, m.Got)
}

var operators = []string{"gt", "gte", "lt", "contains", "len", "oneOf", "absent"}

// checkMatcher refuses a map that looks like an operator but is not one.
func checkMatcher(path string, want any) error {
	if path == "" {
		return fmt.Errorf("empty path")
	}
	m, ok := want.(map[string]any)
	if !ok || len(m) != 1 {
		return nil
	}
	for k, v := range m {
		if !slices.Contains(operators, k) {
			return nil // a map compared as JSON
		}
		switch k {
		case "gt", "gte", "lt", "len":
			if _, ok := number(v); !ok {
				return fmt.Errorf("%s: %s wants a number", path, k)
			}
		case "oneOf":
			if _, ok := v.([]any); !ok {
				return fmt.Errorf("%s: oneOf wants a list", path)
			}
		}
	}
	return nil
}

// Match checks every path of want against doc (JSON), sorted by path.
func Match(doc []byte, want map[string]any) ([]Mismatch, error) {
	var root any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	paths := make([]string, 0, len(want))
	for p := range want {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []Mismatch
	for _, p := range paths {
		got, found := lookup(root, p)
		if ok, wantText := matches(want[p], got, found); !ok {
			out = append(out, Mismatch{Path: p, Want: wantText, Got: show(got, found)})
		}
	}
	return out, nil
}

// lookup follows a dotted path; array items by index.
func lookup(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[part]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(node) {
				return nil, false
			}
			v = node[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// matches reports whether got satisfies want, and how to show want.
func matches(want, got any, found bool) (bool, string) {
	if m, ok := want.(map[string]any); ok && len(m) == 1 {
		for op, arg := range m {
			if !slices.Contains(operators, op) {
				break
			}
			return operate(op, arg, got, found)
		}
	}
	w := canonical(want)
	return found && w == canonical(got), w
}

func operate(op string, arg, got any, found bool) (bool, string) {
	desc := fmt.Sprintf("%s %s", op, canonical(arg))
	if op == "absent" {
		absent := !found || got == nil
		return absent == (canonical(arg) == "true"), desc
	}
	if !found {
		return false, desc
	}
	switch op {
	case "gt", "gte", "lt":
		g, ok1 := number(got)
		a, _ := number(arg)
		if !ok1 {
			return false, desc
		}
		switch op {
		case "gt":
			return g > a, desc
		case "gte":
			return g >= a, desc
		default:
			return g < a, desc
		}
	case "contains":
		s, ok := got.(string)
		return ok && strings.Contains(s, fmt.Sprint(arg)), desc
	case "len":
		n, _ := number(arg)
		switch g := got.(type) {
		case []any:
			return float64(len(g)) == n, desc
		case map[string]any:
			return float64(len(g)) == n, desc
		case string:
			return float64(len(g)) == n, desc
		}
		return false, desc
	case "oneOf":
		for _, a := range arg.([]any) {
			if canonical(a) == canonical(got) {
				return true, desc
			}
		}
	}
	return false, desc
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// canonical is the JSON text of a value: scalars from YAML and JSON compare
// by it (a string is compared by its characters, not quoted).
func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, err := json.Marshal(normalise(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// normalise turns YAML's map[any]any (never produced by yaml.v3 for
// string keys, but possible for others) into JSON-able maps.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalise(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = normalise(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalise(e)
		}
		return out
	}
	return v
}

func show(v any, found bool) string {
	if !found {
		return "(missing)"
	}
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return canonical(v)
}
