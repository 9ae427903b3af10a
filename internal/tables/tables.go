// Package tables holds the DynamoDB table definitions: the one source that
// the DynamoDB adapter, the local stack, the tests and the template.yaml drift
// test read. It is production code (internal/dynamo creates tables from it),
// so it lives here and not in the infra/ tooling.
package tables

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed *.json
var tableFiles embed.FS

// Table is one DynamoDB table definition.
type Table struct {
	LogicalID              string      `json:"logicalId"` // resource name in template.yaml
	Name                   string      `json:"name"`      // base name; deployments prefix it
	Description            string      `json:"description"`
	AttributeDefinitions   []Attribute `json:"attributeDefinitions"`
	KeySchema              KeySchema   `json:"keySchema"`
	GlobalSecondaryIndexes []Index     `json:"globalSecondaryIndexes"`
	BillingMode            string      `json:"billingMode"`
	TTLAttribute           string      `json:"ttlAttribute"` // empty: no TTL
}

// Attribute is a key attribute and its DynamoDB scalar type (S, N or B).
type Attribute struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// KeySchema names the partition key and the optional sort key.
type KeySchema struct {
	PartitionKey string `json:"partitionKey"`
	SortKey      string `json:"sortKey,omitempty"`
}

// Index is a global secondary index projecting all attributes.
type Index struct {
	Name      string    `json:"name"`
	KeySchema KeySchema `json:"keySchema"`
}

// Tables returns every table definition, sorted by logical id.
func Tables() ([]Table, error) {
	paths, err := fs.Glob(tableFiles, "*.json")
	if err != nil {
		return nil, fmt.Errorf("list table definitions: %w", err)
	}
	tables := make([]Table, 0, len(paths))
	for _, p := range paths {
		b, err := tableFiles.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		var t Table
		if err := json.Unmarshal(b, &t); err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		tables = append(tables, t)
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].LogicalID < tables[j].LogicalID })
	return tables, nil
}

// TableByName returns the definition with the given base name.
func TableByName(name string) (Table, error) {
	tables, err := Tables()
	if err != nil {
		return Table{}, err
	}
	for _, t := range tables {
		if t.Name == name {
			return t, nil
		}
	}
	return Table{}, fmt.Errorf("no table definition named %q", name)
}
