package infra_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// TestSamconfig parses samconfig.toml and checks each environment: a stack
// name, a region, CAPABILITY_IAM, and parameter overrides that name only
// parameters template.yaml declares and give every parameter without a
// default.
func TestSamconfig(t *testing.T) {
	b, err := os.ReadFile("../samconfig.toml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := toml.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("samconfig.toml: %v", err)
	}
	if v := cfg["version"]; v != 0.1 {
		t.Errorf("version %v, want 0.1", v)
	}
	params, _ := dig(rawTemplate(t), "Parameters").(map[string]any)
	for _, env := range []string{"default", "dev", "staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			deploy := dig(cfg, env, "deploy", "parameters")
			if deploy == nil {
				t.Fatalf("no [%s.deploy.parameters]", env)
			}
			stack := str(dig(deploy, "stack_name"))
			if stack == "" {
				stack = str(dig(cfg, env, "global", "parameters", "stack_name"))
			}
			if !strings.HasPrefix(stack, "livingroom-") {
				t.Errorf("stack_name %q", stack)
			}
			if str(dig(deploy, "region")) == "" {
				t.Error("no region")
			}
			if caps := strings.Fields(str(dig(deploy, "capabilities"))); !slices.Contains(caps, "CAPABILITY_IAM") {
				t.Errorf("capabilities %v lack CAPABILITY_IAM", caps)
			}
			overrides, err := parseOverrides(str(dig(deploy, "parameter_overrides")))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range overrides {
				if params[k] == nil {
					t.Errorf("parameter_overrides names %s, which template.yaml does not declare", k)
					continue
				}
				if err := checkParameterValue(params[k], v); err != nil {
					t.Errorf("%s=%q: %v", k, v, err)
				}
			}
			for name, p := range params {
				if dig(p, "Default") == nil && overrides[name] == "" {
					t.Errorf("parameter %s has no default and no override", name)
				}
			}
			if want := env; env != "default" && overrides["Stage"] != want {
				t.Errorf("Stage=%q, want %q", overrides["Stage"], want)
			}
		})
	}
}

// parseOverrides splits SAM's "Key=Value Key2=\"value with spaces\"".
func parseOverrides(s string) (map[string]string, error) {
	out := map[string]string{}
	var tok strings.Builder
	var toks []string
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if tok.Len() > 0 {
				toks = append(toks, tok.String())
				tok.Reset()
			}
		default:
			tok.WriteRune(r)
		}
	}
	if tok.Len() > 0 {
		toks = append(toks, tok.String())
	}
	if quoted {
		return nil, errUnbalanced
	}
	for _, t := range toks {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return nil, errBadOverride(t)
		}
		out[k] = v
	}
	return out, nil
}

type errBadOverride string

func (e errBadOverride) Error() string { return "parameter override without Key=: " + string(e) }

var errUnbalanced = errBadOverride("unbalanced quotes")

// checkParameterValue applies a parameter's AllowedValues and
// AllowedPattern (CloudFormation anchors the pattern on the whole value).
func checkParameterValue(p any, v string) error {
	if allowed, ok := dig(p, "AllowedValues").([]any); ok {
		found := false
		for _, a := range allowed {
			found = found || fmt.Sprint(a) == v
		}
		if !found {
			return fmt.Errorf("not one of %v", allowed)
		}
	}
	if pat := str(dig(p, "AllowedPattern")); pat != "" {
		re, err := regexp.Compile("^(?:" + pat + ")$")
		if err != nil {
			return fmt.Errorf("AllowedPattern %q: %w", pat, err)
		}
		if !re.MatchString(v) {
			return fmt.Errorf("does not match %q", pat)
		}
	}
	return nil
}

// TestTemplateParameterDefaults checks every default against its own
// AllowedValues and AllowedPattern.
func TestTemplateParameterDefaults(t *testing.T) {
	params, _ := dig(rawTemplate(t), "Parameters").(map[string]any)
	for name, p := range params {
		d, ok := dig(p, "Default").(string)
		if !ok || d == "" {
			continue
		}
		if err := checkParameterValue(p, d); err != nil {
			t.Errorf("%s default %q: %v", name, d, err)
		}
	}
	if err := checkParameterValue(params["AdmParameterPath"], "/livingroom/dev/adm"); err == nil {
		t.Error("AdmParameterPath accepts a leading slash (the ARN would get two)")
	}
}
