package invoke

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const invokePath = "/2015-03-31/functions/SkillFunction/invocations"

// fakeLambda mimics the Lambda Invoke API of sam local start-lambda.
type fakeLambda struct {
	t     *testing.T
	calls atomic.Int32
	reply func(w http.ResponseWriter, r *http.Request, body []byte)
}

func (f *fakeLambda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("read body: %v", err)
	}
	if r.Method != http.MethodPost || r.URL.Path != invokePath {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"Type":"User","message":"Function not found: `+r.URL.Path+`"}`)
		return
	}
	if auth := r.Header.Get("Authorization"); !strings.Contains(auth, "Credential=local/") || !strings.Contains(auth, "/us-east-1/lambda/") {
		f.t.Errorf("not signed with the dummy credentials: %q", auth)
	}
	f.reply(w, r, body)
}

func newClient(t *testing.T, url, function string, timeout time.Duration) *Client {
	t.Helper()
	c, err := New(Config{Endpoint: url, Function: function, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestInvoke(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		function string
		reply    func(w http.ResponseWriter, r *http.Request, body []byte)
		want     string
		wantErr  string
		fnErr    string
	}{
		{
			name: "ok", function: "SkillFunction",
			reply: func(w http.ResponseWriter, r *http.Request, body []byte) {
				w.Header().Set("X-Amz-Executed-Version", "$LATEST")
				w.Write([]byte(`{"echo":` + string(body) + `}`))
			},
			want: `{"echo":{"directive":{}}}`,
		},
		{
			name: "function error", function: "SkillFunction",
			reply: func(w http.ResponseWriter, r *http.Request, body []byte) {
				w.Header().Set("X-Amz-Function-Error", "Unhandled")
				w.Write([]byte(`{"errorMessage":"boom","errorType":"errorString"}`))
			},
			wantErr: "function error (Unhandled)", fnErr: `{"errorMessage":"boom","errorType":"errorString"}`,
		},
		{
			name: "unknown function", function: "Nope",
			wantErr: "ResourceNotFoundException",
		},
		{
			name: "service error is not retried", function: "SkillFunction",
			reply: func(w http.ResponseWriter, r *http.Request, body []byte) {
				w.Header().Set("X-Amzn-ErrorType", "ServiceException")
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, `{"message":"emulator crashed"}`)
			},
			wantErr: "ServiceException",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := &fakeLambda{t: t, reply: tt.reply}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			got, err := newClient(t, srv.URL, tt.function, 5*time.Second).Invoke(context.Background(), []byte(`{"directive":{}}`), "")
			if calls := fake.calls.Load(); calls != 1 {
				t.Errorf("%d calls, want exactly 1 (no retries)", calls)
			}
			if tt.wantErr == "" {
				if err != nil || string(got) != tt.want {
					t.Fatalf("Invoke = %s, %v; want %s", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Invoke error %v, want one mentioning %q", err, tt.wantErr)
			}
			var fe *FunctionError
			if isFn := errors.As(err, &fe); isFn != (tt.fnErr != "") || (isFn && string(fe.Payload) != tt.fnErr) {
				t.Errorf("FunctionError = %v (%+v), want payload %q", isFn, fe, tt.fnErr)
			}
		})
	}
}

func TestInvokeTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // hang like a function past its budget
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	_, err := newClient(t, srv.URL, "SkillFunction", 50*time.Millisecond).Invoke(context.Background(), []byte(`{}`), "")
	if err == nil || !(errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Timeout")) {
		t.Fatalf("Invoke error %v, want a timeout", err)
	}
}

func TestInvokeUnreachable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := newClient(t, url, "SkillFunction", time.Second).Invoke(context.Background(), []byte(`{}`), "")
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Invoke error %v, want connection refused", err)
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{{Endpoint: "http://127.0.0.1:3001"}, {Function: "SkillFunction"}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestInvokeSendsClientContext(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	srv := httptest.NewServer(&fakeLambda{t: t, reply: func(w http.ResponseWriter, r *http.Request, body []byte) {
		got <- r.Header.Get("X-Amz-Client-Context")
		io.WriteString(w, `{}`)
	}})
	defer srv.Close()
	if _, err := newClient(t, srv.URL, "SkillFunction", time.Second).Invoke(context.Background(), []byte(`{}`), "eyJjdXN0b20iOnt9fQ=="); err != nil {
		t.Fatal(err)
	}
	if h := <-got; h != "eyJjdXN0b20iOnt9fQ==" {
		t.Errorf("X-Amz-Client-Context = %q", h)
	}
}
