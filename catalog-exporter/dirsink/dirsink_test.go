package dirsink_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"livingroom/catalog-exporter/dirsink"
)

func TestFilesAppearOnlyOnCommit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := dirsink.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	o, err := d.Create(ctx, "pages/a.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Write([]byte("<Catalog/>")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pages", "a.xml")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("file visible before Commit")
	}
	if err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "<Catalog/>" {
		t.Fatalf("after Commit: %q %v", b, err)
	}
	if err := o.Commit(); err == nil {
		t.Fatal("second Commit accepted")
	}

	aborted, err := d.Create(ctx, "catalogs/catalog.xml")
	if err != nil {
		t.Fatal(err)
	}
	aborted.Write([]byte("half"))
	aborted.Abort()
	entries, _ := os.ReadDir(filepath.Join(dir, "catalogs"))
	if len(entries) != 0 {
		t.Fatalf("Abort left %v", entries)
	}
	for _, bad := range []string{"", "../x", "/etc/x", "a/../../x"} {
		if _, err := d.Create(ctx, bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}
