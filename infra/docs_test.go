package infra

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryFolderHasALinkedReadme: each top-level folder has a README.md,
// the top-level README links it and docs/ARCHITECTURE.md, and every
// relative link in those documents names a file that exists.
func TestEveryFolderHasALinkedReadme(t *testing.T) {
	root := ".."
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") || name == "bin" || name == "node_modules" {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, name, "README.md")); err != nil {
			t.Errorf("%s/ has no README.md", name)
		}
		if !strings.Contains(string(readme), "]("+name+"/README.md)") {
			t.Errorf("README.md does not link %s/README.md", name)
		}
	}
	if !strings.Contains(string(readme), "](docs/ARCHITECTURE.md)") {
		t.Error("README.md does not link docs/ARCHITECTURE.md")
	}
	docs, _ := filepath.Glob(filepath.Join(root, "*", "README.md"))
	docs = append(docs, filepath.Join(root, "README.md"), filepath.Join(root, "docs", "ARCHITECTURE.md"))
	link := regexp.MustCompile(`\]\(([^)#:]+)(#[^)]*)?\)`)
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := filepath.Join(filepath.Dir(doc), m[1])
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s links %s, which does not exist", doc, m[1])
			}
		}
	}
}
