package ssmparams

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// fakeSSM answers GetParameters from a map and records the calls.
type fakeSSM struct {
	params map[string]string
	err    error
	calls  [][]string
}

func (f *fakeSSM) GetParameters(ctx context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	if _, ok := ctx.Deadline(); !ok {
		return nil, errors.New("no deadline on the call")
	}
	if !aws.ToBool(in.WithDecryption) {
		return nil, errors.New("without decryption")
	}
	f.calls = append(f.calls, slices.Clone(in.Names))
	if f.err != nil {
		return nil, f.err
	}
	out := &ssm.GetParametersOutput{}
	for _, n := range in.Names {
		if v, ok := f.params[n]; ok {
			out.Parameters = append(out.Parameters, types.Parameter{Name: aws.String(n), Value: aws.String(v)})
		} else {
			out.InvalidParameters = append(out.InvalidParameters, n)
		}
	}
	return out, nil
}

func TestResolve(t *testing.T) {
	store := map[string]string{"/lr/adm/client-id": "amzn1.id", "/lr/adm/client-secret": "s3cret", "/lr/empty": ""}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		ssmErr  error
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
		{name: "store error wrapped", env: map[string]string{"ID": "x", "SECRET_PARAM": "/lr/adm/client-secret"}, ssmErr: errors.New("AccessDenied"), calls: 1, wantErr: "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeSSM{params: store, err: tc.ssmErr}
			got, err := Resolve(context.Background(), f, func(k string) string { return tc.env[k] }, "ID", "SECRET")
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
	if _, err := Resolve(context.Background(), &fakeSSM{}, func(string) string { return "v" }, keys...); err == nil {
		t.Fatal("accepted more keys than one call takes")
	}
	if _, err := Resolve(context.Background(), nil, func(k string) string { return map[string]string{"K_PARAM": "/p"}[k] }, "K"); err == nil {
		t.Fatal("no client: want an error")
	}
}
