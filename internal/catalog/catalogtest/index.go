// Package catalogtest gives domain tests an in-memory catalog index and the
// contract suite that both it and the DynamoDB adapter must pass, so the
// fake cannot drift from the real thing.
package catalogtest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"livingroom/internal/catalog"
)

// Index is an in-memory catalog.Index, catalog.IndexWriter and
// catalog.GenreIndex, safe for concurrent use. Like the DynamoDB layout it
// keeps one entry per lookup key and upserts: re-putting a work with a new
// title adds the new title and leaves the old lookup in place.
type Index struct {
	mu       sync.RWMutex
	works    map[string]catalog.Work
	titles   map[string]map[string]catalog.Work // normalised title → kind#id
	external map[string]map[string]catalog.Work // scheme#id → work id
	episodes map[string]map[catalog.EpisodeRef]catalog.Work
	genres   map[string]map[string]catalog.Work // normalised genre → work id
	channels map[string]catalog.Channel
	byNumber map[string]map[string]catalog.Channel // number → channel id
	bySign   map[string]map[string]catalog.Channel // upper call sign → channel id
	byName   map[string]map[string]catalog.Channel // normalised name → channel id
	gen      string                                // the export generation held
}

// Generation returns the export generation the index holds ("" when none).
func (x *Index) Generation(context.Context) (string, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.gen, nil
}

// SetGeneration records the export generation the index holds.
func (x *Index) SetGeneration(_ context.Context, gen string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.gen = gen
	return nil
}

// New returns an empty index.
func New() *Index {
	return &Index{
		works:    map[string]catalog.Work{},
		titles:   map[string]map[string]catalog.Work{},
		external: map[string]map[string]catalog.Work{},
		episodes: map[string]map[catalog.EpisodeRef]catalog.Work{},
		genres:   map[string]map[string]catalog.Work{},
		channels: map[string]catalog.Channel{},
		byNumber: map[string]map[string]catalog.Channel{},
		bySign:   map[string]map[string]catalog.Channel{},
		byName:   map[string]map[string]catalog.Channel{},
	}
}

// PutWorks stores works and their lookups. An invalid work fails the whole
// call before anything is stored.
func (x *Index) PutWorks(ctx context.Context, works []catalog.Work) error {
	for _, w := range works {
		if err := w.Validate(); err != nil {
			return fmt.Errorf("put work %s: %w", w.ID, err)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, w := range works {
		w = Clone(w)
		x.works[w.ID] = w
		if title := catalog.NormalizeTitle(w.Title); title != "" && w.Kind != catalog.Season {
			put(x.titles, title, string(w.Kind)+"#"+w.ID, w)
		}
		for scheme, id := range w.ExternalIDs {
			put(x.external, scheme+"#"+id, w.ID, w)
		}
		if w.Kind == catalog.Episode {
			if x.episodes[w.SeriesID] == nil {
				x.episodes[w.SeriesID] = map[catalog.EpisodeRef]catalog.Work{}
			}
			x.episodes[w.SeriesID][catalog.EpisodeRef{Season: w.Season, Episode: w.Episode}] = w
		}
		if w.Kind == catalog.Movie || w.Kind == catalog.Series {
			for _, g := range w.Genres {
				put(x.genres, catalog.NormalizeGenre(g), w.ID, w)
			}
		}
	}
	return nil
}

// PutChannels stores channels and their lookups.
func (x *Index) PutChannels(ctx context.Context, channels []catalog.Channel) error {
	for _, c := range channels {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("put channel %s: %w", c.ID, err)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, c := range channels {
		c = cloneChannel(c)
		x.channels[c.ID] = c
		if c.Number != "" {
			put(x.byNumber, c.Number, c.ID, c)
		}
		if c.CallSign != "" {
			put(x.bySign, strings.ToUpper(c.CallSign), c.ID, c)
		}
		if name := catalog.NormalizeTitle(c.Name); name != "" {
			put(x.byName, name, c.ID, c)
		}
	}
	return nil
}

// GetWork returns a work by id.
func (x *Index) GetWork(ctx context.Context, id string) (catalog.Work, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	w, ok := x.works[id]
	if !ok {
		return catalog.Work{}, fmt.Errorf("get work %s: %w", id, catalog.ErrNotFound)
	}
	return Clone(w), nil
}

// FindByExternalID returns the works carrying an external id, by work id.
func (x *Index) FindByExternalID(ctx context.Context, scheme, id string) ([]catalog.Work, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return found(x.external[strings.ToLower(scheme)+"#"+id], fmt.Sprintf("find %s id %s", scheme, id))
}

// FindByTitle returns the movies, series and episodes whose normalised
// title matches, ordered by kind and id.
func (x *Index) FindByTitle(ctx context.Context, title string) ([]catalog.Work, error) {
	norm := catalog.NormalizeTitle(title)
	if norm == "" {
		return nil, fmt.Errorf("find title %q: empty title: %w", title, catalog.ErrInvalid)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	return found(x.titles[norm], fmt.Sprintf("find title %q", title))
}

// Episodes returns episodes of a series after from, in order.
func (x *Index) Episodes(ctx context.Context, seriesID string, from catalog.EpisodeRef, limit int) ([]catalog.Work, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	refs := slices.SortedFunc(maps.Keys(x.episodes[seriesID]), func(a, b catalog.EpisodeRef) int {
		return cmp.Or(cmp.Compare(a.Season, b.Season), cmp.Compare(a.Episode, b.Episode))
	})
	out := []catalog.Work{}
	for _, r := range refs {
		if r.Season < from.Season || (r.Season == from.Season && r.Episode <= from.Episode) {
			continue
		}
		if limit > 0 && len(out) == limit {
			break
		}
		out = append(out, Clone(x.episodes[seriesID][r]))
	}
	return out, nil
}

// FindByGenre returns movies and series of a genre by rank, unranked last.
func (x *Index) FindByGenre(ctx context.Context, genre string, limit int) ([]catalog.Work, error) {
	norm := catalog.NormalizeGenre(genre)
	if norm == "" {
		return nil, fmt.Errorf("find genre %q: empty genre: %w", genre, catalog.ErrInvalid)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	works := slices.SortedFunc(maps.Values(x.genres[norm]), func(a, b catalog.Work) int {
		return cmp.Or(cmp.Compare(catalog.RankKey(a.Rank), catalog.RankKey(b.Rank)), strings.Compare(a.ID, b.ID))
	})
	if len(works) == 0 {
		return nil, fmt.Errorf("find genre %q: %w", genre, catalog.ErrNotFound)
	}
	if limit > 0 && len(works) > limit {
		works = works[:limit]
	}
	for i := range works {
		works[i] = Clone(works[i])
	}
	return works, nil
}

// FindByPerson returns movies and series of an actor or director by rank.
func (x *Index) FindByPerson(ctx context.Context, name string, limit int) ([]catalog.Work, error) {
	norm := catalog.NormalizePerson(name)
	if norm == "" {
		return nil, fmt.Errorf("find person: empty name: %w", catalog.ErrInvalid)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	var works []catalog.Work
	for _, w := range x.works {
		if w.Kind != catalog.Movie && w.Kind != catalog.Series {
			continue
		}
		if slices.ContainsFunc(slices.Concat(w.Actors, w.Directors), func(p string) bool { return catalog.NormalizePerson(p) == norm }) {
			works = append(works, Clone(w))
		}
	}
	slices.SortFunc(works, func(a, b catalog.Work) int {
		return cmp.Or(cmp.Compare(catalog.RankKey(a.Rank), catalog.RankKey(b.Rank)), strings.Compare(a.ID, b.ID))
	})
	if len(works) == 0 {
		return nil, fmt.Errorf("find person: %w", catalog.ErrNotFound)
	}
	if limit > 0 && len(works) > limit {
		works = works[:limit]
	}
	return works, nil
}

// Lineup returns the channels in number order.
func (x *Index) Lineup(ctx context.Context) ([]catalog.Channel, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]catalog.Channel, 0, len(x.channels))
	for _, ch := range x.channels {
		out = append(out, cloneChannel(ch))
	}
	slices.SortFunc(out, func(a, b catalog.Channel) int {
		return cmp.Or(strings.Compare(catalog.LineupKey(a.Number), catalog.LineupKey(b.Number)), strings.Compare(a.ID, b.ID))
	})
	if len(out) == 0 {
		return nil, fmt.Errorf("lineup: %w", catalog.ErrNotFound)
	}
	return out[:min(len(out), catalog.MaxLineup)], nil
}

// FindChannel returns the channels matching the first set field of ref.
func (x *Index) FindChannel(ctx context.Context, ref catalog.ChannelRef) ([]catalog.Channel, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var m map[string]catalog.Channel
	switch {
	case ref.Number != "":
		m = x.byNumber[ref.Number]
	case ref.CallSign != "":
		m = x.bySign[strings.ToUpper(ref.CallSign)]
	case catalog.NormalizeTitle(ref.Name) != "":
		m = x.byName[catalog.NormalizeTitle(ref.Name)]
	default:
		return nil, fmt.Errorf("find channel: empty reference: %w", catalog.ErrInvalid)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("find channel %+v: %w", ref, catalog.ErrNotFound)
	}
	out := make([]catalog.Channel, 0, len(m))
	for _, id := range slices.Sorted(maps.Keys(m)) {
		out = append(out, cloneChannel(m[id]))
	}
	return out, nil
}

func put[V any](m map[string]map[string]V, key, sub string, v V) {
	if m[key] == nil {
		m[key] = map[string]V{}
	}
	m[key][sub] = v
}

// found returns the entries of one lookup key in key order.
func found(m map[string]catalog.Work, what string) ([]catalog.Work, error) {
	if len(m) == 0 {
		return nil, fmt.Errorf("%s: %w", what, catalog.ErrNotFound)
	}
	out := make([]catalog.Work, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, Clone(m[k]))
	}
	return out, nil
}

// Clone deep-copies a work, turning empty slices and maps into nil so that
// works compare equal however they were built.
func Clone(w catalog.Work) catalog.Work {
	w.ExternalIDs = cloneMap(w.ExternalIDs)
	w.Genres = cloneSlice(w.Genres)
	w.Actors = cloneSlice(w.Actors)
	w.Directors = cloneSlice(w.Directors)
	return w
}

func cloneChannel(c catalog.Channel) catalog.Channel {
	c.ExternalIDs = cloneMap(c.ExternalIDs)
	c.Genres = cloneSlice(c.Genres)
	if len(c.Schedule) > 0 {
		c.Schedule = slices.Clone(c.Schedule[:min(len(c.Schedule), catalog.MaxIndexedAirings)])
	} else {
		c.Schedule = nil
	}
	return c
}

func cloneSlice(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func cloneMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// ReplaceWorks stores changed works and drops the lookups their stored
// versions had, like the DynamoDB adapter.
func (x *Index) ReplaceWorks(ctx context.Context, works []catalog.Work) error {
	for _, w := range works {
		if err := w.Validate(); err != nil {
			return fmt.Errorf("replace work %s: %w", w.ID, err)
		}
	}
	x.mu.Lock()
	for _, w := range works {
		x.unindex(w.ID)
	}
	x.mu.Unlock()
	return x.PutWorks(ctx, works)
}

// DeleteWorks drops works and all their lookups; unknown ids are passed over.
func (x *Index) DeleteWorks(ctx context.Context, ids []string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, id := range ids {
		x.unindex(id)
	}
	return nil
}

// DeleteChannels drops channels and their lookups.
func (x *Index) DeleteChannels(ctx context.Context, ids []string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, id := range ids {
		c, ok := x.channels[id]
		if !ok {
			continue
		}
		delete(x.channels, id)
		drop(x.byNumber, c.Number, id)
		drop(x.bySign, strings.ToUpper(c.CallSign), id)
		drop(x.byName, catalog.NormalizeTitle(c.Name), id)
	}
	return nil
}

// unindex removes a work and its lookups; the caller holds the lock.
func (x *Index) unindex(id string) {
	w, ok := x.works[id]
	if !ok {
		return
	}
	delete(x.works, id)
	drop(x.titles, catalog.NormalizeTitle(w.Title), string(w.Kind)+"#"+w.ID)
	for scheme, ext := range w.ExternalIDs {
		drop(x.external, scheme+"#"+ext, w.ID)
	}
	if w.Kind == catalog.Episode {
		if e := x.episodes[w.SeriesID]; e != nil && e[catalog.EpisodeRef{Season: w.Season, Episode: w.Episode}].ID == w.ID {
			delete(e, catalog.EpisodeRef{Season: w.Season, Episode: w.Episode})
		}
	}
	for _, g := range w.Genres {
		drop(x.genres, catalog.NormalizeGenre(g), w.ID)
	}
}

func drop[V any](m map[string]map[string]V, key, sub string) {
	if inner := m[key]; inner != nil {
		delete(inner, sub)
		if len(inner) == 0 {
			delete(m, key)
		}
	}
}
