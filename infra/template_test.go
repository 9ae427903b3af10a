package infra_test

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/dynamodb"

	"livingroom/internal/tables"
)

func openTemplate(t *testing.T) *cloudformation.Template {
	t.Helper()
	tmpl, err := goformation.Open("../template.yaml")
	if err != nil {
		t.Fatalf("parse template.yaml: %v", err)
	}
	return tmpl
}

// TestTemplateTablesMatchDefinitions keeps template.yaml and internal/tables in
// step: the same tables, keys, attribute types, indexes, billing and TTL.
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
		})
	}
}

// TestTemplateFunctions checks the Lambda settings the build relies on: a
// bootstrap binary for provided.al2023 on arm64, built by the Makefile.
func TestTemplateFunctions(t *testing.T) {
	tmpl := openTemplate(t)
	fns := tmpl.GetAllServerlessFunctionResources()
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"SkillFunction", "DeviceApiFunction", "CatalogExportFunction"} {
		t.Run(name, func(t *testing.T) {
			fn, ok := fns[name]
			if !ok {
				t.Fatalf("template has no %s", name)
			}
			if !strings.Contains(string(makefile), "build-"+name+":") {
				t.Errorf("Makefile has no build-%s target for BuildMethod makefile", name)
			}
			if fn.Environment == nil && name == "SkillFunction" {
				t.Errorf("%s has no environment", name)
			}
		})
	}
	raw, err := os.ReadFile("../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Runtime: provided.al2023", "Handler: bootstrap", "Architectures: [arm64]", "BuildMethod: makefile"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("template.yaml lacks %q", want)
		}
	}
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
