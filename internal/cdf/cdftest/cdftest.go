// Package cdftest validates CDF files against the schema of the subset the
// exporter writes, with xmllint (Debian libxml2-utils, installed by make
// test-deps).
package cdftest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"livingroom/internal/cdf/xsd"
)

// Validate runs xmllint --schema over files and fails the test with its
// output when any is invalid. Without xmllint the test is skipped, or
// failed when XMLLINT_REQUIRED is set (make test sets it).
func Validate(t testing.TB, files ...string) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("XMLLINT_REQUIRED") != "" {
			t.Fatal("xmllint not found and XMLLINT_REQUIRED is set: install libxml2-utils (make test-deps)")
		}
		t.Skip("xmllint not found: install libxml2-utils (make test-deps) to validate CDF against the XSD")
	}
	schema := filepath.Join(t.TempDir(), "catalog-subset.xsd")
	if err := os.WriteFile(schema, xsd.CatalogSubset, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, append([]string{"--noout", "--schema", schema}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint --schema: %v\n%s", err, out)
	}
}

// Invalid runs xmllint over one file and fails the test if it validates.
func Invalid(t testing.TB, file string) string {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not found: install libxml2-utils (make test-deps)")
	}
	schema := filepath.Join(t.TempDir(), "catalog-subset.xsd")
	if err := os.WriteFile(schema, xsd.CatalogSubset, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", schema, file).CombinedOutput()
	if err == nil {
		t.Fatalf("xmllint accepted %s:\n%s", file, out)
	}
	return string(out)
}
