package catalog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Query is what a voice request says about the content wanted: the ids
// Alexa resolved, the spoken title, and optional season, episode and media
// type ("MOVIE", "TV_SHOW", ...).
type Query struct {
	ExternalIDs map[string]string
	Title       string
	Season      int
	Episode     int
	MediaType   string
}

// Resolver turns a Query into something playable: a movie or an episode.
type Resolver struct {
	index Index
	// sourceID is the key under which Alexa passes this partner's own catalog
	// ids in an entity's externalIds (the catalog's ingestion source id).
	sourceID string
}

// NewResolver returns a Resolver reading index; sourceID names the partner's
// catalog key in externalIds.
func NewResolver(index Index, sourceID string) *Resolver {
	return &Resolver{index: index, sourceID: sourceID}
}

// Resolve finds the work to play. A series plays its first episode, or the
// first episode of the asked season, or the asked episode; a season plays
// its first episode. It returns an error wrapping ErrNotFound when nothing
// matches.
func (r *Resolver) Resolve(ctx context.Context, q Query) (Work, error) {
	w, err := r.find(ctx, q)
	if err != nil {
		return Work{}, err
	}
	return r.playable(ctx, w, q)
}

// Progress says where a viewer is in a series.
type Progress struct {
	Season     int
	Episode    int
	PositionMs int64
	Finished   bool // the episode was watched to its end
}

// ProgressFunc looks up the viewer's progress in a series; found is false
// for a series the viewer never watched.
type ProgressFunc func(ctx context.Context, seriesID string) (p Progress, found bool, err error)

// Play is what to play and where to start.
type Play struct {
	Work       Work
	PositionMs int64
}

// ResolvePlay is Resolve for one viewer: a series asked for without a
// season or episode continues the viewer's progress — the same episode
// where it stopped, or the next one after a finished episode (from the
// start again after the last). A new viewer starts at S1E1.
func (r *Resolver) ResolvePlay(ctx context.Context, q Query, progress ProgressFunc) (Play, error) {
	w, err := r.find(ctx, q)
	if err != nil {
		return Play{}, err
	}
	if w.Kind == Series && q.Season == 0 && q.Episode == 0 && progress != nil {
		p, found, err := progress(ctx, w.ID)
		if err != nil {
			return Play{}, fmt.Errorf("progress in %s: %w", w.ID, err)
		}
		if found && !p.Finished {
			if ep, err := r.episodeOf(ctx, w.ID, p.Season, p.Episode); err == nil {
				return Play{Work: ep, PositionMs: p.PositionMs}, nil
			}
		}
		if found && p.Finished {
			next, err := r.NextEpisode(ctx, w.ID, p.Season, p.Episode)
			if err == nil {
				return Play{Work: next}, nil
			}
			if !errors.Is(err, ErrNotFound) {
				return Play{}, err
			}
		}
	}
	ep, err := r.playable(ctx, w, q)
	if err != nil {
		return Play{}, err
	}
	return Play{Work: ep}, nil
}

// playable turns a found work into a movie or an episode to play.
func (r *Resolver) playable(ctx context.Context, w Work, q Query) (Work, error) {
	switch w.Kind {
	case Movie, Episode:
		return w, nil
	case Series:
		return r.episodeOf(ctx, w.ID, q.Season, q.Episode)
	case Season:
		season := q.Season
		if season == 0 {
			season = w.Season
		}
		return r.episodeOf(ctx, w.SeriesID, season, q.Episode)
	default:
		return Work{}, fmt.Errorf("resolve %q: work %s of kind %q is not playable: %w", q.Title, w.ID, w.Kind, ErrNotFound)
	}
}

// find looks the work up by the partner's id, then by other external ids,
// then by title.
func (r *Resolver) find(ctx context.Context, q Query) (Work, error) {
	if id := q.ExternalIDs[r.sourceID]; id != "" {
		w, err := r.index.GetWork(ctx, id)
		if err == nil {
			return w, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return Work{}, fmt.Errorf("resolve %s id %s: %w", r.sourceID, id, err)
		}
	}
	schemes := make([]string, 0, len(q.ExternalIDs))
	for scheme := range q.ExternalIDs {
		if scheme != r.sourceID {
			schemes = append(schemes, scheme)
		}
	}
	sort.Strings(schemes) // deterministic order
	for _, scheme := range schemes {
		ws, err := r.index.FindByExternalID(ctx, scheme, q.ExternalIDs[scheme])
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Work{}, fmt.Errorf("resolve %s id %s: %w", scheme, q.ExternalIDs[scheme], err)
		}
		if len(ws) > 0 {
			return best(ws, q.MediaType), nil
		}
	}
	if NormalizeTitle(q.Title) == "" {
		// Nothing left to look up (blank, or only punctuation): the index
		// keys cannot be empty, and such a title matches nothing.
		return Work{}, fmt.Errorf("resolve: no id or title given: %w", ErrNotFound)
	}
	ws, err := r.index.FindByTitle(ctx, q.Title)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Work{}, fmt.Errorf("resolve title %q: %w", q.Title, err)
	}
	if len(ws) == 0 {
		return Work{}, fmt.Errorf("resolve title %q: %w", q.Title, ErrNotFound)
	}
	return best(ws, q.MediaType), nil
}

// episodeOf picks an episode of a series: the asked one, the first of the
// asked season, or the first of all.
func (r *Resolver) episodeOf(ctx context.Context, seriesID string, season, episode int) (Work, error) {
	from := EpisodeRef{}
	if season > 0 {
		from = EpisodeRef{Season: season, Episode: max(episode-1, 0)}
	}
	eps, err := r.index.Episodes(ctx, seriesID, from, 1)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Work{}, fmt.Errorf("episodes of %s: %w", seriesID, err)
	}
	if len(eps) == 0 || (season > 0 && eps[0].Season != season) || (episode > 0 && eps[0].Episode != episode) {
		return Work{}, fmt.Errorf("series %s has no season %d episode %d: %w", seriesID, season, episode, ErrNotFound)
	}
	return eps[0], nil
}

// best prefers works of the asked media type, then series and movies over
// seasons and episodes, then popularity.
func best(ws []Work, mediaType string) Work {
	score := func(w Work) int {
		s := 0
		if matchesMediaType(w.Kind, mediaType) {
			s += 4
		}
		if w.Kind == Series || w.Kind == Movie {
			s += 2
		}
		return s
	}
	sorted := append([]Work(nil), ws...)
	sort.SliceStable(sorted, func(i, j int) bool {
		si, sj := score(sorted[i]), score(sorted[j])
		if si != sj {
			return si > sj
		}
		return rankOrder(sorted[i].Rank) < rankOrder(sorted[j].Rank)
	})
	return sorted[0]
}

func matchesMediaType(k Kind, mediaType string) bool {
	switch strings.ToUpper(strings.NewReplacer(" ", "_").Replace(strings.TrimSpace(mediaType))) {
	case "MOVIE":
		return k == Movie
	case "TV_SHOW":
		return k == Series || k == Season || k == Episode
	}
	return false
}

// rankOrder puts unranked works (0) after ranked ones.
func rankOrder(rank int) int {
	if rank <= 0 {
		return int(^uint(0) >> 1)
	}
	return rank
}

// NextEpisode returns the episode after (season, episode) of a series, the
// next season's first after a season's last. ErrNotFound after the last.
func (r *Resolver) NextEpisode(ctx context.Context, seriesID string, season, episode int) (Work, error) {
	eps, err := r.index.Episodes(ctx, seriesID, EpisodeRef{Season: season, Episode: episode}, 1)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Work{}, fmt.Errorf("next episode of %s: %w", seriesID, err)
	}
	if len(eps) == 0 {
		return Work{}, fmt.Errorf("series %s has no episode after S%dE%d: %w", seriesID, season, episode, ErrNotFound)
	}
	return eps[0], nil
}

// maxSeasonEpisodes bounds the read that finds a season's last episode.
const maxSeasonEpisodes = 500

// PreviousEpisode returns the episode before (season, episode), the
// previous season's last before a season's first. ErrNotFound before the
// first.
func (r *Resolver) PreviousEpisode(ctx context.Context, seriesID string, season, episode int) (Work, error) {
	if episode > 1 {
		eps, err := r.index.Episodes(ctx, seriesID, EpisodeRef{Season: season, Episode: episode - 2}, 1)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Work{}, fmt.Errorf("previous episode of %s: %w", seriesID, err)
		}
		if len(eps) == 1 && eps[0].Season == season && eps[0].Episode < episode {
			return eps[0], nil
		}
	}
	for s := season - 1; s >= 1 && s >= season-3; s-- {
		eps, err := r.index.Episodes(ctx, seriesID, EpisodeRef{Season: s, Episode: 0}, maxSeasonEpisodes)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Work{}, fmt.Errorf("previous episode of %s: %w", seriesID, err)
		}
		var last *Work
		for i := range eps {
			if eps[i].Season == s {
				last = &eps[i]
			}
		}
		if last != nil {
			return *last, nil
		}
	}
	return Work{}, fmt.Errorf("series %s has no episode before S%dE%d: %w", seriesID, season, episode, ErrNotFound)
}
