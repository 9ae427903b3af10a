package dynamo

import "time"

// SetCatalogPaging makes tests exercise pagination and fast retries.
func SetCatalogPaging(c *Catalog, pageSize int32, maxAttempts int, backoff func(attempt int) time.Duration) {
	c.pageSize = pageSize
	c.maxAttempts = maxAttempts
	c.backoff = backoff
}
