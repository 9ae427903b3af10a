package ssmparams

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// fakeSSM is a Parameter Store stand-in speaking GetParameters' wire
// protocol, so the tests go through the real Client; it records the calls.
type fakeSSM struct {
	params map[string]string
	status int // an error answer when set
	calls  [][]string
}

func (f *fakeSSM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Names          []string
		WithDecryption bool
	}
	auth := r.Header.Get("Authorization")
	if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameters" || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" ||
		!strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/us-east-1/ssm/aws4_request") ||
		r.Header.Get("X-Amz-Security-Token") != "TOKEN" || json.NewDecoder(r.Body).Decode(&in) != nil || !in.WithDecryption {
		http.Error(w, `{"__type":"BadRequest","message":"not a signed GetParameters with decryption"}`, http.StatusBadRequest)
		return
	}
	f.calls = append(f.calls, slices.Clone(in.Names))
	if f.status != 0 {
		w.WriteHeader(f.status)
		io.WriteString(w, `{"__type":"AccessDeniedException","message":"not allowed"}`)
		return
	}
	var out struct {
		Parameters        []map[string]string `json:"Parameters"`
		InvalidParameters []string            `json:"InvalidParameters"`
	}
	for _, n := range in.Names {
		if v, ok := f.params[n]; ok {
			out.Parameters = append(out.Parameters, map[string]string{"Name": n, "Value": v, "Type": "SecureString"})
		} else {
			out.InvalidParameters = append(out.InvalidParameters, n)
		}
	}
	json.NewEncoder(w).Encode(out)
}

// client is a Client of the stand-in.
func client(t *testing.T, f http.Handler) *Client {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return NewClient(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "TOKEN"),
	})
}

func TestResolve(t *testing.T) {
	store := map[string]string{"/lr/adm/client-id": "amzn1.id", "/lr/adm/client-secret": "s3cret", "/lr/empty": ""}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		status  int
		want    map[string]string
		calls   int
		wantErr string
	}{
		{name: "direct values, no call", env: map[string]string{"ID": "dev-client", "SECRET": "dev-secret"},
			want: map[string]string{"ID": "dev-client", "SECRET": "dev-secret"}},
		{name: "both from parameters in one call", env: map[string]string{"ID_PARAM": "/lr/adm/client-id", "SECRET_PARAM": "/lr/adm/client-secret"},
			want: map[string]string{"ID": "amzn1.id", "SECRET": "s3cret"}, calls: 1},
		{name: "direct value wins over its parameter", env: map[string]string{"ID": "x", "ID_PARAM": "/lr/adm/client-id", "SECRET_PARAM": "/lr/adm/client-secret"},
			want: map[string]string{"ID": "x", "SECRET": "s3cret"}, calls: 1},
		{name: "neither set", env: map[string]string{"ID": "x"}, wantErr: "neither SECRET nor SECRET_PARAM"},
		{name: "missing parameter", env: map[string]string{"ID": "x", "SECRET_PARAM": "/lr/nope"}, calls: 1, wantErr: "no such parameters: /lr/nope"},
		{name: "empty parameter", env: map[string]string{"ID": "x", "SECRET_PARAM": "/lr/empty"}, calls: 1, wantErr: "missing or empty"},
		{name: "store error wrapped", env: map[string]string{"ID": "x", "SECRET_PARAM": "/lr/adm/client-secret"}, status: http.StatusBadRequest, calls: 1, wantErr: "AccessDeniedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeSSM{params: store, status: tc.status}
			got, err := Resolve(context.Background(), client(t, f), func(k string) string { return tc.env[k] }, "ID", "SECRET")
			if len(f.calls) != tc.calls {
				t.Errorf("%d calls, want %d", len(f.calls), tc.calls)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestResolveBounds(t *testing.T) {
	keys := make([]string, maxNames+1)
	for i := range keys {
		keys[i] = string(rune('A' + i))
	}
	if _, err := Resolve(context.Background(), client(t, &fakeSSM{}), func(string) string { return "v" }, keys...); err == nil {
		t.Fatal("accepted more keys than one call takes")
	}
	if _, err := Resolve(context.Background(), nil, func(k string) string { return map[string]string{"K_PARAM": "/p"}[k] }, "K"); err == nil {
		t.Fatal("no client: want an error")
	}
}

// The client's own failure modes: answers it cannot use are errors.
func TestClientRejects(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>") }, "answer"},
		{"too big", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"Parameters":[{"Name":"a","Value":"`+strings.Repeat("x", maxResponseBytes)+`"}]}`)
		}, "over"},
		{"throttled", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
		}, "ThrottlingException"},
		{"server error, no body", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }, "HTTP 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := client(t, tc.handler).GetParameters(context.Background(), []string{"a"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	if _, _, err := NewClient(aws.Config{Region: "us-east-1"}).GetParameters(context.Background(), []string{"a"}); err == nil {
		t.Fatal("no credentials: want an error")
	}
}
