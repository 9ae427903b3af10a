// Package ssmparams reads a Lambda's credentials from AWS Systems Manager
// Parameter Store once, at start. Each setting K is either given directly in
// the environment variable K (the local stack, `sam local` with
// lambdas/env.local.json) or named by K_PARAM, the name of a parameter
// (SecureString or String) that is read with decryption — so a secret never
// sits in the template, its parameters or the function's environment.
package ssmparams

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ParamSuffix is appended to a setting's name to name the environment
// variable that holds its parameter's name.
const ParamSuffix = "_PARAM"

// Timeout bounds the one Parameter Store call made at start.
const Timeout = 5 * time.Second

// maxNames is what one GetParameters call accepts.
const maxNames = 10

// Getter reads parameters with decryption: the values found by name, and
// the names that do not exist. *Client implements it.
type Getter interface {
	GetParameters(ctx context.Context, names []string) (values map[string]string, invalid []string, err error)
}

// Resolve returns the value of each setting in keys: getenv(K) when it is not
// empty, otherwise the value of the parameter named by getenv(K+"_PARAM"),
// all such parameters read in one call. A setting with neither is an error,
// and so is a parameter that does not exist.
func Resolve(ctx context.Context, ssmc Getter, getenv func(string) string, keys ...string) (map[string]string, error) {
	if len(keys) > maxNames {
		return nil, fmt.Errorf("resolve settings: %d keys, at most %d", len(keys), maxNames)
	}
	out := make(map[string]string, len(keys))
	byParam := map[string][]string{} // parameter name → settings it feeds
	var names []string
	for _, k := range keys {
		if v := getenv(k); v != "" {
			out[k] = v
			continue
		}
		p := getenv(k + ParamSuffix)
		if p == "" {
			return nil, fmt.Errorf("resolve settings: neither %s nor %s%s is set", k, k, ParamSuffix)
		}
		if _, seen := byParam[p]; !seen {
			names = append(names, p)
		}
		byParam[p] = append(byParam[p], k)
	}
	if len(names) == 0 {
		return out, nil
	}
	if ssmc == nil {
		return nil, errors.New("resolve settings: no Parameter Store client")
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	values, invalid, err := ssmc.GetParameters(ctx, names)
	if err != nil {
		return nil, fmt.Errorf("resolve settings: get parameters %s: %w", strings.Join(names, ", "), err)
	}
	if len(invalid) > 0 {
		return nil, fmt.Errorf("resolve settings: no such parameters: %s", strings.Join(invalid, ", "))
	}
	for name, v := range values {
		for _, k := range byParam[name] {
			out[k] = v
		}
	}
	for _, k := range keys {
		if out[k] == "" {
			return nil, fmt.Errorf("resolve settings: parameter %s for %s is missing or empty", getenv(k+ParamSuffix), k)
		}
	}
	return out, nil
}
