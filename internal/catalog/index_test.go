package catalog_test

import (
	"testing"

	"livingroom/internal/catalog/catalogtest"
)

func TestFakeIndexContract(t *testing.T) {
	t.Parallel()
	catalogtest.RunIndexSuite(t, func(*testing.T) catalogtest.IndexAndWriter { return catalogtest.New() })
}
