package samlocal

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/awslabs/goformation/v7"
)

// DefaultRoute is the catch-all route key of an HTTP API.
const DefaultRoute = "$default"

// MethodAny matches every HTTP method.
const MethodAny = "ANY"

// Route is one HttpApi event of a function in template.yaml.
type Route struct {
	Function string // logical ID of the AWS::Serverless::Function
	Method   string // upper-case HTTP method or MethodAny
	Path     string // "/items/{id}", "/files/{proxy+}", or DefaultRoute
}

// Key is the API Gateway route key: "GET /items/{id}" or "$default".
func (r Route) Key() string {
	if r.Path == DefaultRoute {
		return DefaultRoute
	}
	return r.Method + " " + r.Path
}

// goformationMu serialises template parsing: goformation's YAML parser
// writes a package-level map on every call, so concurrent parses race.
var goformationMu sync.Mutex

// LoadRoutes reads the HttpApi events of every AWS::Serverless::Function in
// a SAM template. An HttpApi event without Path and Method is the $default
// route, as in SAM. Routes come back sorted by function, then path.
func LoadRoutes(templatePath string) ([]Route, error) {
	goformationMu.Lock()
	tmpl, err := goformation.Open(templatePath)
	goformationMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("parse template %s: %w", templatePath, err)
	}
	var routes []Route
	for name, fn := range tmpl.GetAllServerlessFunctionResources() {
		for eventName, ev := range fn.Events {
			if ev.Type != "HttpApi" {
				continue
			}
			var path, method string
			if props := ev.Properties; props != nil {
				switch {
				case props.HttpApiEvent != nil:
					path, method = deref(props.HttpApiEvent.Path), deref(props.HttpApiEvent.Method)
				case props.ApiEvent != nil:
					// Path and Method are set, but a property goformation does
					// not know made the HttpApi decoding fail.
					path, method = props.ApiEvent.Path, props.ApiEvent.Method
				default:
					return nil, fmt.Errorf("template %s: %s.Events.%s: cannot read HttpApi properties", templatePath, name, eventName)
				}
			}
			r, err := newRoute(name, method, path)
			if err != nil {
				return nil, fmt.Errorf("template %s: %s.Events.%s: %w", templatePath, name, eventName, err)
			}
			routes = append(routes, r)
		}
	}
	slices.SortFunc(routes, func(a, b Route) int {
		return cmp.Or(cmp.Compare(a.Function, b.Function), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	return routes, nil
}

func newRoute(function, method, path string) (Route, error) {
	switch {
	case path == "" && method == "", path == DefaultRoute:
		return Route{Function: function, Method: MethodAny, Path: DefaultRoute}, nil
	case path == "":
		return Route{}, fmt.Errorf("method %s without a path", method)
	case method == "":
		method = MethodAny
	}
	return Route{Function: function, Method: strings.ToUpper(method), Path: path}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type segmentKind int

// Ordered by how specific a match is: API Gateway prefers literal segments
// to path variables, and both to a greedy variable.
const (
	segGreedy segmentKind = iota
	segParam
	segLiteral
)

type segment struct {
	kind  segmentKind
	value string // literal text, or the variable name
}

// compiledRoute is a Route ready for matching.
type compiledRoute struct {
	Route
	segments []segment
	catchAll bool
}

func compileRoute(r Route) (compiledRoute, error) {
	c := compiledRoute{Route: r}
	if r.Path == DefaultRoute {
		c.catchAll = true
		return c, nil
	}
	if r.Method != MethodAny && !validMethod(r.Method) {
		return c, fmt.Errorf("route %s: unsupported method %q", r.Key(), r.Method)
	}
	if !strings.HasPrefix(r.Path, "/") {
		return c, fmt.Errorf("route %s: path must start with /", r.Key())
	}
	for i, part := range splitPath(r.Path) {
		switch {
		case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "+}"):
			if i != len(splitPath(r.Path))-1 {
				return c, fmt.Errorf("route %s: a greedy variable must be the last segment", r.Key())
			}
			c.segments = append(c.segments, segment{segGreedy, part[1 : len(part)-2]})
		case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}"):
			c.segments = append(c.segments, segment{segParam, part[1 : len(part)-1]})
		case part == "":
			return c, fmt.Errorf("route %s: empty path segment", r.Key())
		default:
			c.segments = append(c.segments, segment{segLiteral, part})
		}
	}
	for _, s := range c.segments {
		if s.kind != segLiteral && s.value == "" {
			return c, fmt.Errorf("route %s: unnamed path variable", r.Key())
		}
	}
	return c, nil
}

func validMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// splitPath splits "/a/b" into ["a", "b"]; "/" has no segments.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// compareSpecificity orders routes most specific first, so the first match
// is the one API Gateway would pick: segment by segment literal before
// variable before greedy, then an exact method before ANY, $default last.
func compareSpecificity(a, b compiledRoute) int {
	if a.catchAll != b.catchAll {
		if a.catchAll {
			return 1
		}
		return -1
	}
	for i := 0; i < len(a.segments) && i < len(b.segments); i++ {
		if c := cmp.Compare(b.segments[i].kind, a.segments[i].kind); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(len(b.segments), len(a.segments)); c != 0 {
		return c
	}
	if (a.Method == MethodAny) != (b.Method == MethodAny) {
		if a.Method == MethodAny {
			return 1
		}
		return -1
	}
	return 0
}

// match reports whether the route serves method and the (decoded) path
// segments, and the path parameters it binds.
func (c compiledRoute) match(method string, parts []string) (map[string]string, bool) {
	if c.Method != MethodAny && c.Method != method {
		return nil, false
	}
	if c.catchAll {
		return nil, true
	}
	var params map[string]string
	for i, s := range c.segments {
		if s.kind == segGreedy {
			rest := strings.Join(parts[min(i, len(parts)):], "/")
			if rest == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s.value] = rest
			return params, true
		}
		if i >= len(parts) {
			return nil, false
		}
		switch s.kind {
		case segLiteral:
			if parts[i] != s.value {
				return nil, false
			}
		case segParam:
			if parts[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s.value] = parts[i]
		}
	}
	if len(parts) != len(c.segments) {
		return nil, false
	}
	return params, true
}

// router picks the route for a request.
type router struct {
	routes []compiledRoute // most specific first
}

func newRouter(routes []Route) (*router, error) {
	rt := &router{}
	seen := map[string]bool{}
	var errs []error
	for _, r := range routes {
		c, err := compileRoute(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[r.Key()] {
			errs = append(errs, fmt.Errorf("route %s defined twice", r.Key()))
			continue
		}
		seen[r.Key()] = true
		rt.routes = append(rt.routes, c)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortStableFunc(rt.routes, compareSpecificity)
	return rt, nil
}

func (rt *router) find(method, path string) (compiledRoute, map[string]string, bool) {
	parts := splitPath(path)
	for _, c := range rt.routes {
		if params, ok := c.match(method, parts); ok {
			return c, params, true
		}
	}
	return compiledRoute{}, nil, false
}
