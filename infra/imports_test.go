package infra_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// toolingRoots are the folders whose packages are tooling: the local stack
// and its helpers, the QA runner and the end-to-end tests. Production code
// (lambdas/, internal/, the services) must not import them.
var toolingRoots = []string{"infra", "qa", "e2e"}

func isTooling(dir string) bool {
	for _, r := range toolingRoots {
		if dir == r || strings.HasPrefix(dir, r+"/") {
			return true
		}
	}
	return false
}

// TestProductionImportsNoTooling parses the imports of every non-test Go
// file outside the tooling folders and fails on any import of
// livingroom/infra/..., livingroom/qa/... or livingroom/e2e/....
func TestProductionImportsNoTooling(t *testing.T) {
	root := ".."
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (isTooling(rel) || name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			if dir, ok := strings.CutPrefix(p, "livingroom/"); ok && isTooling(dir) {
				t.Errorf("%s imports %s: production code must not depend on tooling", rel, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files: is the walk rooted at the repository?", checked)
	}
}
