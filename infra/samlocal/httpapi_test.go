package samlocal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func TestLoadRoutes(t *testing.T) {
	t.Parallel()
	routes, err := LoadRoutes("testdata/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Route{
		{"ApiFunction", "GET", "/binary"},
		{"ApiFunction", "GET", "/cookies"},
		{"ApiFunction", "GET", "/fail"},
		{"ApiFunction", "GET", "/files/special"},
		{"ApiFunction", "ANY", "/files/{proxy+}"},
		{"ApiFunction", "GET", "/invalid"},
		{"ApiFunction", "POST", "/items"},
		{"ApiFunction", "GET", "/items/{id}"},
		{"ApiFunction", "GET", "/nostatus"},
		{"ApiFunction", "GET", "/raw"},
		{"DefaultFunction", "ANY", "$default"},
	}
	if !reflect.DeepEqual(routes, want) {
		t.Errorf("LoadRoutes:\n got %v\nwant %v", routes, want)
	}
	if _, err := LoadRoutes("testdata/missing.yaml"); err == nil {
		t.Error("LoadRoutes of a missing file succeeded")
	}
}

// TestLoadRoutesProjectTemplate guards the stack runner: the project's own
// template must parse and give a servable route table.
func TestLoadRoutesProjectTemplate(t *testing.T) {
	t.Parallel()
	const path = "../../template.yaml"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no project template: %v", err)
	}
	routes, err := LoadRoutes(path)
	if err != nil {
		t.Fatal(err)
	}
	functions := map[string]Invoker{}
	for _, r := range routes {
		functions[r.Function] = InvokerFunc(func(context.Context, []byte) (Result, error) { return Result{}, nil })
	}
	if _, err := NewHTTPAPI(routes, functions, nil); err != nil {
		t.Errorf("routes of %s: %v", path, err)
	}
	t.Logf("%s: %v", path, routes)
}

// httpAPIServer serves the test template with every function under the
// real emulator.
func httpAPIServer(t *testing.T, keep func(Route) bool) *httptest.Server {
	t.Helper()
	routes, err := LoadRoutes("testdata/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	routes = slices.DeleteFunc(routes, func(r Route) bool { return !keep(r) })
	functions := map[string]Invoker{}
	for _, r := range routes {
		if functions[r.Function] == nil {
			functions[r.Function], _ = startEmulator(t, r.Function)
		}
	}
	api, err := NewHTTPAPI(routes, functions, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv
}

type httpResult struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, method, url string, body []byte, header http.Header) httpResult {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return httpResult{resp.StatusCode, resp.Header, b}
}

// echoed decodes the event the test function echoes back in its body.
func echoed(t *testing.T, r httpResult) events.APIGatewayV2HTTPRequest {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(r.body, &ev); err != nil {
		t.Fatalf("decode echoed event %s: %v", r.body, err)
	}
	return ev
}

func TestHTTPAPI(t *testing.T) {
	t.Parallel()
	srv := httpAPIServer(t, func(Route) bool { return true })
	host := strings.TrimPrefix(srv.URL, "http://")

	t.Run("path parameters, query, headers, cookies", func(t *testing.T) {
		before := time.Now().UnixMilli()
		r := do(t, "GET", srv.URL+"/items/42?color=red&color=blue&q=a%20b", nil, http.Header{
			"X-Multi":    {"a", "b"},
			"User-Agent": {"tvapp-sim/1.0"},
			"Cookie":     {"session=abc; theme=dark"},
		})
		ev := echoed(t, r)
		if got := r.header.Get("X-Function"); got != "ApiFunction" {
			t.Errorf("served by %q, want ApiFunction", got)
		}
		checks := []struct {
			what      string
			got, want any
		}{
			{"version", ev.Version, "2.0"},
			{"routeKey", ev.RouteKey, "GET /items/{id}"},
			{"rawPath", ev.RawPath, "/items/42"},
			{"rawQueryString", ev.RawQueryString, "color=red&color=blue&q=a%20b"},
			{"queryStringParameters", ev.QueryStringParameters, map[string]string{"color": "red,blue", "q": "a b"}},
			{"pathParameters", ev.PathParameters, map[string]string{"id": "42"}},
			{"cookies", ev.Cookies, []string{"session=abc", "theme=dark"}},
			{"x-multi header", ev.Headers["x-multi"], "a,b"},
			{"user-agent header", ev.Headers["user-agent"], "tvapp-sim/1.0"},
			{"host header", ev.Headers["host"], host},
			{"cookie header moved to cookies", ev.Headers["cookie"], ""},
			{"body", ev.Body, ""},
			{"isBase64Encoded", ev.IsBase64Encoded, false},
			{"requestContext.routeKey", ev.RequestContext.RouteKey, "GET /items/{id}"},
			{"requestContext.stage", ev.RequestContext.Stage, "$default"},
			{"requestContext.domainName", ev.RequestContext.DomainName, "127.0.0.1"},
			{"requestContext.http.method", ev.RequestContext.HTTP.Method, "GET"},
			{"requestContext.http.path", ev.RequestContext.HTTP.Path, "/items/42"},
			{"requestContext.http.protocol", ev.RequestContext.HTTP.Protocol, "HTTP/1.1"},
			{"requestContext.http.sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
			{"requestContext.http.userAgent", ev.RequestContext.HTTP.UserAgent, "tvapp-sim/1.0"},
		}
		for _, c := range checks {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
			}
		}
		for k := range ev.Headers {
			if k != strings.ToLower(k) {
				t.Errorf("header %q is not lower-case", k)
			}
		}
		rc := ev.RequestContext
		if len(rc.RequestID) != 36 || rc.TimeEpoch < before || rc.TimeEpoch > time.Now().UnixMilli() || rc.Time == "" {
			t.Errorf("requestContext id/time: %+v", rc)
		}
		if _, err := time.Parse("02/Jan/2006:15:04:05 -0700", rc.Time); err != nil {
			t.Errorf("requestContext.time %q: %v", rc.Time, err)
		}
		if r.header.Get("Apigw-Requestid") != rc.RequestID {
			t.Errorf("apigw-requestid %q, want %q", r.header.Get("Apigw-Requestid"), rc.RequestID)
		}
	})

	t.Run("text body", func(t *testing.T) {
		ev := echoed(t, do(t, "POST", srv.URL+"/items", []byte(`{"title":"Café"}`), http.Header{"Content-Type": {"application/json"}}))
		if ev.RouteKey != "POST /items" || ev.Body != `{"title":"Café"}` || ev.IsBase64Encoded {
			t.Errorf("routeKey %q body %q base64 %v", ev.RouteKey, ev.Body, ev.IsBase64Encoded)
		}
	})

	t.Run("binary body", func(t *testing.T) {
		payload := []byte{0x89, 'P', 'N', 'G', 0, 0xff, 0xfe}
		ev := echoed(t, do(t, "POST", srv.URL+"/items", payload, http.Header{"Content-Type": {"image/png"}}))
		got, err := base64.StdEncoding.DecodeString(ev.Body)
		if !ev.IsBase64Encoded || err != nil || !bytes.Equal(got, payload) {
			t.Errorf("body %q base64 %v", ev.Body, ev.IsBase64Encoded)
		}
	})

	t.Run("greedy path and ANY", func(t *testing.T) {
		ev := echoed(t, do(t, "DELETE", srv.URL+"/files/shows/s01/e02.mp4", nil, nil))
		if ev.RouteKey != "ANY /files/{proxy+}" || ev.PathParameters["proxy"] != "shows/s01/e02.mp4" || ev.RequestContext.HTTP.Method != "DELETE" {
			t.Errorf("routeKey %q params %v method %q", ev.RouteKey, ev.PathParameters, ev.RequestContext.HTTP.Method)
		}
		// A literal route beats the greedy one.
		if ev := echoed(t, do(t, "GET", srv.URL+"/files/special", nil, nil)); ev.RouteKey != "GET /files/special" || ev.PathParameters != nil {
			t.Errorf("routeKey %q params %v", ev.RouteKey, ev.PathParameters)
		}
		// ...but only for its method.
		if ev := echoed(t, do(t, "PUT", srv.URL+"/files/special", nil, nil)); ev.RouteKey != "ANY /files/{proxy+}" {
			t.Errorf("PUT /files/special: routeKey %q", ev.RouteKey)
		}
	})

	t.Run("default route", func(t *testing.T) {
		r := do(t, "PATCH", srv.URL+"/somewhere/else?x=1", nil, nil)
		ev := echoed(t, r)
		if ev.RouteKey != "$default" || r.header.Get("X-Function") != "DefaultFunction" || ev.PathParameters != nil {
			t.Errorf("routeKey %q function %q params %v", ev.RouteKey, r.header.Get("X-Function"), ev.PathParameters)
		}
	})

	t.Run("responses", func(t *testing.T) {
		for _, tc := range []struct {
			path        string
			status      int
			contentType string
			body        []byte
		}{
			{"/binary", 200, "application/octet-stream", []byte{0, 1, 2, 0xff, 0xfe}},
			{"/raw", 200, "application/json", []byte(`"just a string"`)},
			{"/nostatus", 200, "application/json", []byte(`{"hello":"world"}`)},
			{"/fail", 502, "application/json", []byte(`{"message":"Internal Server Error"}`)},
			{"/invalid", 502, "application/json", []byte(`{"message":"Internal Server Error"}`)},
		} {
			r := do(t, "GET", srv.URL+tc.path, nil, nil)
			if r.status != tc.status || r.header.Get("Content-Type") != tc.contentType || !bytes.Equal(r.body, tc.body) {
				t.Errorf("GET %s = %d %q %q, want %d %q %q", tc.path, r.status, r.header.Get("Content-Type"), r.body, tc.status, tc.contentType, tc.body)
			}
		}
	})

	t.Run("headers and cookies", func(t *testing.T) {
		r := do(t, "GET", srv.URL+"/cookies", nil, nil)
		if r.status != 201 || string(r.body) != "cookies set" {
			t.Fatalf("got %d %q", r.status, r.body)
		}
		if got := r.header.Values("Set-Cookie"); !reflect.DeepEqual(got, []string{"session=abc; Path=/", "theme=dark"}) {
			t.Errorf("Set-Cookie = %q", got)
		}
		if got := r.header.Values("X-Multi"); !reflect.DeepEqual(got, []string{"a", "b"}) {
			t.Errorf("X-Multi = %q", got)
		}
		if got := r.header.Get("X-Single"); got != "one" {
			t.Errorf("X-Single = %q", got)
		}
	})
}

func TestHTTPAPINotFound(t *testing.T) {
	t.Parallel()
	srv := httpAPIServer(t, func(r Route) bool { return r.Path != DefaultRoute })
	for _, tc := range []struct{ method, path string }{
		{"GET", "/nowhere"},
		{"GET", "/items"},         // only POST /items
		{"GET", "/items/"},        // an empty {id} does not match
		{"GET", "/items/42/more"}, // too many segments
		{"GET", "/files"},         // {proxy+} needs at least one segment
	} {
		r := do(t, tc.method, srv.URL+tc.path, nil, nil)
		if r.status != 404 || string(r.body) != `{"message":"Not Found"}` || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s = %d %s", tc.method, tc.path, r.status, r.body)
		}
	}
}

func TestNewHTTPAPIValidates(t *testing.T) {
	t.Parallel()
	echo := InvokerFunc(func(context.Context, []byte) (Result, error) { return Result{Payload: []byte(`{}`)}, nil })
	fns := map[string]Invoker{"Fn": echo}
	for name, routes := range map[string][]Route{
		"unknown function": {{"Other", "GET", "/a"}},
		"duplicate route":  {{"Fn", "GET", "/a"}, {"Fn", "GET", "/a"}},
		"greedy not last":  {{"Fn", "GET", "/{proxy+}/a"}},
		"relative path":    {{"Fn", "GET", "a"}},
		"bad method":       {{"Fn", "FETCH", "/a"}},
		"empty segment":    {{"Fn", "GET", "/a//b"}},
		"unnamed variable": {{"Fn", "GET", "/a/{}"}},
	} {
		if _, err := NewHTTPAPI(routes, fns, nil); err == nil {
			t.Errorf("%s: NewHTTPAPI succeeded, want an error", name)
		}
	}
}

func TestRouterPrefersSpecificRoutes(t *testing.T) {
	t.Parallel()
	rt, err := newRouter([]Route{
		{"F", "ANY", DefaultRoute},
		{"F", "ANY", "/{proxy+}"},
		{"F", "ANY", "/a/{proxy+}"},
		{"F", "GET", "/a/{id}"},
		{"F", "ANY", "/a/{id}"},
		{"F", "GET", "/a/b"},
		{"F", "GET", "/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, key string
		params            map[string]string
	}{
		{"GET", "/a/b", "GET /a/b", nil},
		{"GET", "/a/c", "GET /a/{id}", map[string]string{"id": "c"}},
		{"POST", "/a/c", "ANY /a/{id}", map[string]string{"id": "c"}},
		{"POST", "/a/b", "ANY /a/{id}", map[string]string{"id": "b"}},
		{"GET", "/a/b/c", "ANY /a/{proxy+}", map[string]string{"proxy": "b/c"}},
		{"GET", "/x/y", "ANY /{proxy+}", map[string]string{"proxy": "x/y"}},
		{"GET", "/", "GET /", nil},
		{"POST", "/", "$default", nil},
	} {
		c, params, ok := rt.find(tc.method, tc.path)
		if !ok || c.Key() != tc.key || !reflect.DeepEqual(params, tc.params) {
			t.Errorf("%s %s matched %q %v (found %v), want %q %v", tc.method, tc.path, c.Key(), params, ok, tc.key, tc.params)
		}
	}
}

func TestDecodeHTTPResponse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		payload string
		status  int
		body    string
		wantErr bool
	}{
		{name: "full", payload: `{"statusCode":418,"body":"teapot","headers":{"X-A":"1"}}`, status: 418, body: "teapot"},
		{name: "base64", payload: `{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, status: 200, body: "hi"},
		{name: "null body", payload: `{"statusCode":204,"body":null}`, status: 204},
		{name: "no statusCode", payload: `{"a":1}`, status: 200, body: `{"a":1}`},
		{name: "string", payload: `"hi"`, status: 200, body: `"hi"`},
		{name: "number", payload: `42`, status: 200, body: `42`},
		{name: "null", payload: `null`, status: 200, body: `null`},
		{name: "statusCode as string", payload: `{"statusCode":"200"}`, wantErr: true},
		{name: "statusCode out of range", payload: `{"statusCode":9000}`, wantErr: true},
		{name: "bad base64", payload: `{"statusCode":200,"body":"***","isBase64Encoded":true}`, wantErr: true},
		{name: "bad header name", payload: `{"statusCode":200,"headers":{"a b":"1"}}`, wantErr: true},
		{name: "headers not strings", payload: `{"statusCode":200,"headers":{"a":1}}`, wantErr: true},
		{name: "not JSON", payload: `Task timed out`, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := decodeHTTPResponse([]byte(tc.payload))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("got %+v, want an error", resp)
				}
				return
			}
			if err != nil || resp.status != tc.status || string(resp.body) != tc.body {
				t.Errorf("got %+v (%v), want status %d body %q", resp, err, tc.status, tc.body)
			}
		})
	}
}
