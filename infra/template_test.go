package infra_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"github.com/awslabs/goformation/v7/intrinsics"

	"livingroom/internal/tables"
)

// functions are the template's Lambdas and the lambdas/ folder of each.
var functions = map[string]string{
	"SkillFunction":         "skill",
	"DeviceApiFunction":     "device-api",
	"CustomSkillFunction":   "custom-skill",
	"CatalogExportFunction": "catalog-export",
}

func openTemplate(t *testing.T) *cloudformation.Template {
	t.Helper()
	tmpl, err := goformation.Open("../template.yaml")
	if err != nil {
		t.Fatalf("parse template.yaml: %v", err)
	}
	return tmpl
}

// rawTemplate is template.yaml as JSON with the intrinsic functions kept
// ({"Ref": …}, {"Fn::Sub": …}), for the checks goformation's types hide.
func rawTemplate(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	j, err := intrinsics.ProcessYAML(b, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// dig walks nested maps by keys; nil when a key is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string { s, _ := v.(string); return s }

// TestTemplateTablesMatchDefinitions keeps template.yaml and internal/tables
// in step: the same tables, keys, attribute types, indexes, billing and TTL;
// and every table has point-in-time recovery and encryption.
func TestTemplateTablesMatchDefinitions(t *testing.T) {
	defs, err := tables.Tables()
	if err != nil {
		t.Fatal(err)
	}
	tmplTables := openTemplate(t).GetAllDynamoDBTableResources()
	var names []string
	for name := range tmplTables {
		names = append(names, name)
	}
	sort.Strings(names)
	var defNames []string
	for _, d := range defs {
		defNames = append(defNames, d.LogicalID)
	}
	if strings.Join(names, ",") != strings.Join(defNames, ",") {
		t.Fatalf("template tables %v, definitions %v", names, defNames)
	}
	for _, def := range defs {
		t.Run(def.LogicalID, func(t *testing.T) {
			tbl := tmplTables[def.LogicalID]
			if got := deref(tbl.BillingMode); got != def.BillingMode {
				t.Errorf("BillingMode %q, want %q", got, def.BillingMode)
			}
			attrs := map[string]string{}
			for _, a := range tbl.AttributeDefinitions {
				attrs[a.AttributeName] = a.AttributeType
			}
			want := map[string]string{}
			for _, a := range def.AttributeDefinitions {
				want[a.Name] = a.Type
			}
			if !equalMaps(attrs, want) {
				t.Errorf("AttributeDefinitions %v, want %v", attrs, want)
			}
			if got := keySchema(tbl.KeySchema); got != (def.KeySchema) {
				t.Errorf("KeySchema %+v, want %+v", got, def.KeySchema)
			}
			gsis := map[string]tables.KeySchema{}
			for _, g := range tbl.GlobalSecondaryIndexes {
				gsis[g.IndexName] = keySchema(g.KeySchema)
			}
			if len(gsis) != len(def.GlobalSecondaryIndexes) {
				t.Errorf("%d GSIs, want %d", len(gsis), len(def.GlobalSecondaryIndexes))
			}
			for _, g := range def.GlobalSecondaryIndexes {
				if gsis[g.Name] != g.KeySchema {
					t.Errorf("GSI %s = %+v, want %+v", g.Name, gsis[g.Name], g.KeySchema)
				}
			}
			ttl := ""
			if s := tbl.TimeToLiveSpecification; s != nil && s.Enabled {
				ttl = deref(s.AttributeName)
			}
			if ttl != def.TTLAttribute {
				t.Errorf("TTL attribute %q, want %q", ttl, def.TTLAttribute)
			}
			if p := tbl.PointInTimeRecoverySpecification; p == nil || p.PointInTimeRecoveryEnabled == nil || !*p.PointInTimeRecoveryEnabled {
				t.Error("no point-in-time recovery")
			}
			if s := tbl.SSESpecification; s == nil || !s.SSEEnabled {
				t.Error("no SSESpecification with SSEEnabled")
			}
		})
	}
}

// TestTemplateFunctions checks each Lambda against the build: provided.al2023
// on arm64 with a bootstrap handler (its own or Globals'), BuildMethod
// makefile with CodeUri at the repository root, and a Makefile target
// build-<LogicalId> that builds ./lambdas/<folder> (which has a main.go) as
// $(ARTIFACTS_DIR)/bootstrap for linux/arm64.
func TestTemplateFunctions(t *testing.T) {
	tmpl := openTemplate(t)
	raw := rawTemplate(t)
	fns := tmpl.GetAllServerlessFunctionResources()
	var names []string
	for name := range fns {
		names = append(names, name)
	}
	sort.Strings(names)
	var want []string
	for name := range functions {
		want = append(want, name)
	}
	sort.Strings(want)
	if !slices.Equal(names, want) {
		t.Fatalf("template functions %v, want %v", names, want)
	}
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	globals := dig(raw, "Globals", "Function")
	for name, folder := range functions {
		t.Run(name, func(t *testing.T) {
			fn := fns[name]
			props := dig(raw, "Resources", name, "Properties")
			setting := func(key string) any {
				if v := dig(props, key); v != nil {
					return v
				}
				return dig(globals, key)
			}
			if got := str(setting("Runtime")); got != "provided.al2023" {
				t.Errorf("Runtime %q", got)
			}
			if got := str(setting("Handler")); got != "bootstrap" {
				t.Errorf("Handler %q", got)
			}
			if got := fmt.Sprint(setting("Architectures")); got != "[arm64]" {
				t.Errorf("Architectures %s", got)
			}
			if got := str(dig(raw, "Resources", name, "Metadata", "BuildMethod")); got != "makefile" {
				t.Errorf("Metadata.BuildMethod %q", got)
			}
			if fn.CodeUri == nil || deref(fn.CodeUri.String) != "." {
				t.Errorf("CodeUri is not the repository root, where the Makefile is")
			}
			if _, err := os.Stat(filepath.Join("..", "lambdas", folder, "main.go")); err != nil {
				t.Errorf("lambdas/%s: %v", folder, err)
			}
			recipe := makeRecipe(string(makefile), "build-"+name)
			if recipe == "" {
				t.Fatalf("Makefile has no build-%s target", name)
			}
			for _, w := range []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "-o $(ARTIFACTS_DIR)/bootstrap", "./lambdas/" + folder} {
				if !strings.Contains(recipe, w) {
					t.Errorf("build-%s does not say %q: %s", name, w, recipe)
				}
			}
			if !regexp.MustCompile(`(?m)^\.PHONY:.*\bbuild-` + name + `\b`).Match(makefile) {
				t.Errorf("build-%s is not .PHONY", name)
			}
		})
	}
}

// makeRecipe returns the recipe lines of a Makefile target.
func makeRecipe(makefile, target string) string {
	lines := strings.Split(makefile, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, target+":") {
			continue
		}
		var out []string
		for _, r := range lines[i+1:] {
			if !strings.HasPrefix(r, "\t") {
				break
			}
			out = append(out, strings.TrimSpace(r))
		}
		return strings.Join(out, "\n")
	}
	return ""
}

// TestTemplateEvents checks each function's trigger: the skills behind the
// Alexa Skills Kit with their skill id, the device API's routes, the
// export's schedule.
func TestTemplateEvents(t *testing.T) {
	raw := rawTemplate(t)
	events := func(fn string) map[string]any {
		m, _ := dig(raw, "Resources", fn, "Properties", "Events").(map[string]any)
		return m
	}
	for fn, param := range map[string]string{"SkillFunction": "AlexaSkillId", "CustomSkillFunction": "CustomSkillId"} {
		evs := events(fn)
		if len(evs) != 1 {
			t.Errorf("%s: %d events, want the Alexa trigger only", fn, len(evs))
		}
		for name, ev := range evs {
			if str(dig(ev, "Type")) != "AlexaSkill" || str(dig(ev, "Properties", "SkillId", "Ref")) != param {
				t.Errorf("%s.%s: want AlexaSkill with SkillId !Ref %s (the skill-id check), got %v", fn, name, param, ev)
			}
		}
	}
	var routes []string
	for name, ev := range events("DeviceApiFunction") {
		if str(dig(ev, "Type")) != "HttpApi" {
			t.Errorf("DeviceApiFunction.%s: type %v", name, dig(ev, "Type"))
		}
		routes = append(routes, str(dig(ev, "Properties", "Method"))+" "+str(dig(ev, "Properties", "Path")))
	}
	sort.Strings(routes)
	wantRoutes := []string{"DELETE /v1/devices/{endpointId}", "GET /v1/devices", "GET /v1/devices/{endpointId}/state", "POST /v1/devices", "PUT /v1/devices/{endpointId}/state"}
	if !slices.Equal(routes, wantRoutes) {
		t.Errorf("device API routes %v, want %v", routes, wantRoutes)
	}
	sched := events("CatalogExportFunction")
	if len(sched) != 1 {
		t.Errorf("CatalogExportFunction: %d events", len(sched))
	}
	for name, ev := range sched {
		if str(dig(ev, "Type")) != "Schedule" || str(dig(ev, "Properties", "Schedule", "Ref")) != "CatalogExportSchedule" {
			t.Errorf("CatalogExportFunction.%s: want Schedule !Ref CatalogExportSchedule, got %v", name, ev)
		}
	}
}

// TestTemplateLeastPrivilege checks the functions' policies: no managed
// or wildcard policies, DynamoDB policies only on the tables a function
// uses (write access only where it writes), SSM only on its own parameters.
func TestTemplateLeastPrivilege(t *testing.T) {
	raw := rawTemplate(t)
	type access struct{ crud, read []string }
	want := map[string]access{
		"SkillFunction":         {crud: []string{"AccountsTable"}, read: []string{"CatalogTable"}},
		"CustomSkillFunction":   {read: []string{"AccountsTable", "CatalogTable"}},
		"DeviceApiFunction":     {crud: []string{"AccountsTable"}},
		"CatalogExportFunction": {crud: []string{"CatalogTable"}},
	}
	for fn, w := range want {
		t.Run(fn, func(t *testing.T) {
			pols, _ := dig(raw, "Resources", fn, "Properties", "Policies").([]any)
			if len(pols) == 0 {
				t.Fatal("no policies")
			}
			var got access
			for _, p := range pols {
				m, ok := p.(map[string]any)
				if !ok {
					t.Errorf("policy %v: a managed policy name; use scoped statements", p)
					continue
				}
				for kind, body := range m {
					switch kind {
					case "DynamoDBCrudPolicy":
						got.crud = append(got.crud, str(dig(body, "TableName", "Ref")))
					case "DynamoDBReadPolicy":
						got.read = append(got.read, str(dig(body, "TableName", "Ref")))
					case "Statement":
						stmts, _ := body.([]any)
						for _, s := range stmts {
							checkStatement(t, fn, s)
						}
					default:
						t.Errorf("policy %s: not one of the scoped kinds this test knows", kind)
					}
				}
			}
			slices.Sort(got.crud)
			slices.Sort(got.read)
			if !slices.Equal(got.crud, w.crud) || !slices.Equal(got.read, w.read) {
				t.Errorf("DynamoDB access crud %v read %v, want crud %v read %v", got.crud, got.read, w.crud, w.read)
			}
		})
	}
}

func checkStatement(t *testing.T, fn string, s any) {
	t.Helper()
	b, _ := json.Marshal(s)
	if str(dig(s, "Effect")) != "Allow" {
		return
	}
	if strings.Contains(string(b), `"*"`) || strings.Contains(string(b), `:*"`) {
		t.Errorf("%s: wildcard action or resource: %s", fn, b)
	}
	actions := fmt.Sprint(dig(s, "Action"))
	if strings.Contains(actions, "ssm:") {
		if strings.Contains(actions, "PutParameter") || strings.Contains(actions, "DeleteParameter") || !strings.Contains(string(b), "${AdmParameterPath}/client-") {
			t.Errorf("%s: SSM access beyond reading its ADM parameters: %s", fn, b)
		}
	}
}

// TestTemplateSecretsAndBucket checks that no secret is a template
// parameter or a literal in an environment, the ADM credentials come from
// Parameter Store, and the catalog bucket is encrypted and private.
func TestTemplateSecretsAndBucket(t *testing.T) {
	raw := rawTemplate(t)
	params, _ := dig(raw, "Parameters").(map[string]any)
	for name, p := range params {
		if dig(p, "NoEcho") != nil || (strings.Contains(strings.ToLower(name), "secret") && !strings.HasSuffix(name, "SecretName")) {
			t.Errorf("parameter %s carries a secret; keep secrets in Parameter Store or Secrets Manager", name)
		}
	}
	for fn := range functions {
		vars, _ := dig(raw, "Resources", fn, "Properties", "Environment", "Variables").(map[string]any)
		for k, v := range vars {
			if strings.Contains(k, "SECRET") && !strings.HasSuffix(k, "_PARAM") {
				if b, _ := json.Marshal(v); !strings.Contains(string(b), "{{resolve:secretsmanager:") {
					t.Errorf("%s: %s is neither a parameter name nor a Secrets Manager reference: %s", fn, k, b)
				}
			}
		}
		if fn == "SkillFunction" || fn == "CustomSkillFunction" {
			for _, k := range []string{"ADM_CLIENT_ID_PARAM", "ADM_CLIENT_SECRET_PARAM"} {
				if vars[k] == nil {
					t.Errorf("%s: no %s", fn, k)
				}
			}
		}
	}
	bucket := dig(raw, "Resources", "CatalogBucket", "Properties")
	if dig(bucket, "BucketEncryption", "ServerSideEncryptionConfiguration") == nil {
		t.Error("CatalogBucket: no encryption")
	}
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if dig(bucket, "PublicAccessBlockConfiguration", k) != true {
			t.Errorf("CatalogBucket: PublicAccessBlockConfiguration.%s not true", k)
		}
	}
}

// TestTemplateAlarms checks an Errors, a Throttles and a p99 Duration alarm
// on every function, each notifying the alarm topic.
func TestTemplateAlarms(t *testing.T) {
	raw := rawTemplate(t)
	res, _ := dig(raw, "Resources").(map[string]any)
	found := map[string]bool{}
	for name, r := range res {
		if str(dig(r, "Type")) != "AWS::CloudWatch::Alarm" {
			continue
		}
		p := dig(r, "Properties")
		dims, _ := dig(p, "Dimensions").([]any)
		if len(dims) != 1 || str(dig(dims[0], "Name")) != "FunctionName" {
			t.Errorf("%s: dimensions %v", name, dims)
			continue
		}
		fn := str(dig(dims[0], "Value", "Ref"))
		metric := str(dig(p, "MetricName"))
		if str(dig(p, "Namespace")) != "AWS/Lambda" {
			t.Errorf("%s: namespace %v", name, dig(p, "Namespace"))
		}
		if metric == "Duration" && str(dig(p, "ExtendedStatistic")) != "p99" {
			t.Errorf("%s: Duration alarm not on p99", name)
		}
		if b, _ := json.Marshal(dig(p, "AlarmActions")); !strings.Contains(string(b), `"AlarmTopic"`) {
			t.Errorf("%s: does not notify AlarmTopic", name)
		}
		found[fn+"/"+metric] = true
	}
	for fn := range functions {
		for _, m := range []string{"Errors", "Throttles", "Duration"} {
			if !found[fn+"/"+m] {
				t.Errorf("no %s alarm on %s", m, fn)
			}
		}
	}
	outs, _ := dig(raw, "Outputs").(map[string]any)
	for _, o := range []string{"DeviceApiUrl", "SkillFunctionArn", "CustomSkillFunctionArn", "CatalogBucketName", "AlarmTopicArn"} {
		if outs[o] == nil {
			t.Errorf("no output %s", o)
		}
	}
}

// TestEnvLocalCoversTemplate checks lambdas/env.local.json (sam local
// --env-vars) against the template: an entry per function with every
// variable the function gets there (X for an X_PARAM, which is read from
// Parameter Store on AWS).
func TestEnvLocalCoversTemplate(t *testing.T) {
	raw := rawTemplate(t)
	b, err := os.ReadFile("../lambdas/env.local.json")
	if err != nil {
		t.Fatal(err)
	}
	var local map[string]map[string]string
	if err := json.Unmarshal(b, &local); err != nil {
		t.Fatalf("env.local.json: %v", err)
	}
	globals, _ := dig(raw, "Globals", "Function", "Environment", "Variables").(map[string]any)
	for fn := range functions {
		env, ok := local[fn]
		if !ok {
			t.Errorf("env.local.json has no %s", fn)
			continue
		}
		vars, _ := dig(raw, "Resources", fn, "Properties", "Environment", "Variables").(map[string]any)
		for k := range mergeKeys(globals, vars) {
			want := strings.TrimSuffix(k, "_PARAM")
			if _, ok := env[want]; !ok {
				t.Errorf("env.local.json %s lacks %s", fn, want)
			}
		}
	}
	for fn := range local {
		if _, ok := functions[fn]; !ok {
			t.Errorf("env.local.json names %s, which the template does not declare", fn)
		}
	}
}

func mergeKeys(ms ...map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			out[k] = true
		}
	}
	return out
}

func keySchema(ks []dynamodb.Table_KeySchema) tables.KeySchema {
	var out tables.KeySchema
	for _, k := range ks {
		switch k.KeyType {
		case "HASH":
			out.PartitionKey = k.AttributeName
		case "RANGE":
			out.SortKey = k.AttributeName
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
