package scheduled_test

import (
	"errors"
	"testing"

	"livingroom/catalog-exporter/export"
	"livingroom/catalog-exporter/scheduled"
	"livingroom/internal/catalog"
)

func TestResultMetrics(t *testing.T) {
	cases := []struct {
		name    string
		res     scheduled.Result
		err     error
		works   int
		failure string
	}{
		{"published", scheduled.Result{Summary: export.Summary{Works: map[catalog.Kind]int{catalog.Movie: 3, catalog.Episode: 4}}}, nil, 7, ""},
		{"refused", scheduled.Result{Summary: export.Summary{Refused: "too many removals"}}, nil, 0, "REFUSED"},
		{"failed", scheduled.Result{}, errors.New("s3 down"), 0, "EXPORT_FAILED"},
	}
	for _, c := range cases {
		if got := c.res.WorksExported(); got != c.works {
			t.Errorf("%s: WorksExported = %d, want %d", c.name, got, c.works)
		}
		if got := c.res.Failure(c.err); got != c.failure {
			t.Errorf("%s: Failure = %q, want %q", c.name, got, c.failure)
		}
	}
}
