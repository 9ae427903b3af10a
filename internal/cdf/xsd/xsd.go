// Package xsd holds the XML Schema of the CDF subset the exporter writes.
package xsd

import _ "embed"

// CatalogSubset is catalog-subset.xsd.
//
//go:embed catalog-subset.xsd
var CatalogSubset []byte
