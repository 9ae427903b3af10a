package catalog

import "context"

// GenreIndex lists the works of a genre by popularity: rank 1 first,
// unranked works last. Only movies and series are listed.
type GenreIndex interface {
	FindByGenre(ctx context.Context, genre string, limit int) ([]Work, error)
}

// NormalizeGenre folds a genre for lookup the way titles are folded, so
// "Sci-Fi" and "sci fi" find the same works.
func NormalizeGenre(s string) string { return NormalizeTitle(s) }

// UnrankedKey is where works without a rank sort among ranked ones.
const UnrankedKey = MaxRank

// RankKey is the sort position of a work in its genres.
func RankKey(rank int) int {
	if rank <= 0 {
		return UnrankedKey
	}
	return rank
}
