package source

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"livingroom/internal/catalog"
)

// Synthetic is a made-up catalog of exactly Works works with the mix of a
// series-heavy streaming service like Hulu: 4% movies, 2.5% series, 8%
// seasons and the rest episodes (about 3 seasons a series and 11 episodes
// a season), plus live channels with a schedule. Every field is derived
// from Seed and the work's position by hashing, so the same Works and Seed
// give the same catalog, byte for byte, and records are made as they are
// walked, in id order, without any state.
//
// Revision > 0 is the same catalog some days later: in each revision about
// 1% of the works change (movies are renamed, other works get a new
// synopsis or availability window) and about 0.1% of the movies and
// episodes are removed; the changes of revision r include those of every
// revision before it.
type Synthetic struct {
	Works    int
	Seed     uint64
	Revision int
}

// Mix of the catalog, in works per thousand.
const (
	seriesPerMille = 25
	seasonsPerMill = 80
	moviesPerMille = 40
	maxChannels    = 90 // Hulu + Live TV carries about 90
)

type layout struct {
	series, seasons, movies, episodes, channels int
}

func (s Synthetic) layout() layout {
	n := max(s.Works, 0)
	if n < 3 {
		return layout{movies: n, channels: 5}
	}
	l := layout{series: max(1, n*seriesPerMille/1000), movies: n * moviesPerMille / 1000}
	l.seasons = max(l.series, n*seasonsPerMill/1000)
	l.episodes = n - l.series - l.seasons - l.movies
	if l.episodes < l.seasons { // tiny catalogs: one episode a season at least
		l.movies -= l.seasons - l.episodes
		l.episodes = l.seasons
	}
	l.channels = min(maxChannels, 5+n/1000)
	return l
}

func (s Synthetic) String() string {
	str := fmt.Sprintf("synthetic %d works, seed %d", s.Works, s.Seed)
	if s.Revision > 0 {
		str += fmt.Sprintf(", revision %d", s.Revision)
	}
	return str
}

// Walk implements Source: channels, episodes, movies, seasons, series, each
// in id order, which is id order overall.
func (s Synthetic) Walk(ctx context.Context, visit func(Record) error) error {
	l := s.layout()
	g := gen{Synthetic: s, l: l}
	n := 0
	emit := func(r Record) error {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("synthetic source: %w", err)
			}
		}
		return visit(r)
	}
	for c := range l.channels {
		if err := emit(Record{Channel: g.channel(c)}); err != nil {
			return err
		}
	}
	// Episodes: series by series, season by season.
	season := 0 // global season index
	for k := range l.series {
		for j := 1; j <= split(l.seasons, l.series, k, s.Seed^0x5e); j++ {
			eps := split(l.episodes, l.seasons, season, s.Seed^0xe9)
			for e := 1; e <= eps; e++ {
				if w := g.episode(k, j, e); w != nil {
					if err := emit(Record{Work: w}); err != nil {
						return err
					}
				}
			}
			season++
		}
	}
	for m := range l.movies {
		if w := g.movie(m); w != nil {
			if err := emit(Record{Work: w}); err != nil {
				return err
			}
		}
	}
	for k := range l.series {
		for j := 1; j <= split(l.seasons, l.series, k, s.Seed^0x5e); j++ {
			if err := emit(Record{Work: g.season(k, j)}); err != nil {
				return err
			}
		}
	}
	for k := range l.series {
		if err := emit(Record{Work: g.series(k)}); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSONL writes the catalog as a JSON Lines source file.
func (s Synthetic) WriteJSONL(ctx context.Context, w io.Writer) error {
	return s.Walk(ctx, func(r Record) error { return Encode(w, r) })
}

// split divides total into parts counts, each at least total/parts-ish and
// varied by hashing: neighbours (2i, 2i+1) trade up to base-1, so the sum
// stays exactly total.
func split(total, parts, i int, seed uint64) int {
	base, rem := total/parts, total%parts
	c := base
	if i < rem {
		c++
	}
	if base < 2 {
		return c
	}
	pair := i &^ 1
	if pair+1 >= parts {
		return c
	}
	d := int(mix(seed, uint64(pair)) % uint64(base))
	if i == pair {
		return c + d
	}
	return c - d
}

// mix is splitmix64 of a seed and a value.
func mix(seed, v uint64) uint64 {
	z := seed + v*0x9e3779b97f4a7c15 + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

type gen struct {
	Synthetic
	l layout
	a arena
}

// Word lists for titles and synopses.
var (
	adjectives = []string{"Silent", "Broken", "Golden", "Last", "Hidden", "Crimson", "Midnight", "Northern", "Lucky", "Distant",
		"Electric", "Quiet", "Wild", "Hollow", "Bright", "Secret", "Burning", "Frozen", "Little", "Savage"}
	nouns = []string{"Harbor", "Signal", "Kingdom", "Orchard", "Frontier", "Letter", "Garden", "Empire", "River", "Station",
		"Summer", "Witness", "Island", "Machine", "Promise", "Circle", "Highway", "Tide", "Choir", "Lantern"}
	sentences = []string{
		"A retired detective is pulled back into the case that ended her career.",
		"Two estranged brothers inherit a failing vineyard and a family secret.",
		"A small-town radio host starts receiving calls from the future.",
		"An ambitious chef risks everything to open a restaurant in a city that never sleeps.",
		"A crew of misfits plans the heist of the century during a blizzard.",
		"A young doctor joins an overcrowded emergency room on her first night.",
		"When the power goes out for good, a suburb has to learn to govern itself.",
		"A documentary crew follows a championship team through a season of upsets.",
		"A widowed father and his teenage daughter move to a lighthouse on a remote island.",
		"An android nanny begins to question the family she was built to serve.",
		"A stand-up comedian tries to rebuild his life after a viral disaster.",
		"Rival scientists race to decode a signal from deep space.",
		"A public defender takes on the case nobody else will touch.",
		"A group of friends reunites for a wedding that goes wrong in every possible way.",
		"A forensic accountant discovers the town's richest family is built on a lie.",
		"An aging rock band goes on one last tour across the country.",
	}
	genreNames  = []string{"Drama", "Comedy", "Action", "Science Fiction", "Documentary", "Thriller", "Animation", "Romance", "Horror", "Crime", "Reality", "Family"}
	firstNames  = []string{"Ava", "Ben", "Chloe", "Dev", "Elena", "Felix", "Grace", "Hiro", "Isla", "Jonah", "Kira", "Luis", "Maya", "Nico", "Olive", "Priya"}
	lastNames   = []string{"Archer", "Bennett", "Castillo", "Dubois", "Eriksen", "Fontaine", "Gupta", "Hayes", "Ito", "Jansen", "Kowalski", "Laurent", "Moreno", "Novak", "Okafor", "Price"}
	tvRatings   = []string{"TV-Y7", "TV-PG", "TV-14", "TV-14", "TV-MA"}
	filmRatings = []string{"G", "PG", "PG-13", "PG-13", "R"}
	stations    = []string{"NBC", "ABC", "CBS", "FOX", "CNN", "ESPN", "ESPN2", "FX", "TNT", "TBS", "Bravo", "HGTV", "Food", "History", "Disney", "A&E"}
)

func pick[T any](list []T, h uint64) T { return list[h%uint64(len(list))] }

// arena builds the strings of one work in one allocation: pieces are
// appended to buf and cut out of a single string at the end.
type arena struct {
	buf   []byte
	marks []int
}

func (a *arena) mark() { a.marks = append(a.marks, len(a.buf)) }

func (a *arena) str(s string) *arena { a.buf = append(a.buf, s...); return a }

func (a *arena) num(n int, width int) *arena {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(d); i < width; i++ {
		a.buf = append(a.buf, '0')
	}
	a.buf = append(a.buf, d...)
	return a
}

// done returns the pieces between marks: piece i is from mark i to mark
// i+1 (or the end).
func (a *arena) done() []string {
	all := string(a.buf)
	out := make([]string, len(a.marks))
	for i, m := range a.marks {
		end := len(all)
		if i+1 < len(a.marks) {
			end = a.marks[i+1]
		}
		out[i] = all[m:end]
	}
	a.buf, a.marks = a.buf[:0], a.marks[:0]
	return out
}

func (g *gen) arena() *arena {
	g.a.buf, g.a.marks = g.a.buf[:0], g.a.marks[:0]
	return &g.a
}

// changed tells in which revision (≤ Revision) a work last changed, or 0.
func (g *gen) changed(kind, pos uint64) int {
	for r := g.Revision; r >= 1; r-- {
		if mix(g.Seed^uint64(r)<<40, kind<<48|pos)%100 == 0 {
			return r
		}
	}
	return 0
}

// removed tells whether a movie or episode was taken out by now.
func (g *gen) removed(kind, pos uint64) bool {
	for r := 1; r <= g.Revision; r++ {
		if mix(g.Seed^uint64(r)<<40^0xdead, kind<<48|pos)%1000 == 0 {
			return true
		}
	}
	return false
}

const (
	kindSeries uint64 = iota + 1
	kindSeason
	kindEpisode
	kindMovie
	kindChannel
)

func (g *gen) title(a *arena, h uint64) {
	a.str(pick(adjectives, h)).str(" ").str(pick(nouns, h>>8))
	if h>>16%3 == 0 {
		a.str(" ").str(pick(nouns, h>>24))
	}
}

func (g *gen) synopsis(a *arena, h uint64) {
	a.str(pick(sentences, h)).str(" ").str(pick(sentences, h>>8))
}

func (g *gen) people(h uint64, n int) []string {
	out := make([]string, n)
	for i := range out {
		x := mix(h, uint64(i))
		out[i] = pick(firstNames, x) + " " + pick(lastNames, x>>8)
	}
	return out
}

func genres(h uint64) []string {
	a, b := pick(genreNames, h), pick(genreNames, h>>8)
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// availability is one subscription window in the US from the release, some
// closing at a later date, a few also free with ads.
func availability(h uint64, year int, revision int) []catalog.Window {
	from := max(year, 2008)
	start := strconv.Itoa(from) + "-01-01"
	w := catalog.Window{Offer: catalog.OfferSubscription, Regions: []string{"US"}, Start: start}
	if h%5 == 0 {
		w.End = strconv.Itoa(max(from, 2026)+1+int(h>>8%3)+revision) + "-12-31"
	}
	out := []catalog.Window{w}
	if h>>16%20 == 0 {
		out = append(out, catalog.Window{Offer: catalog.OfferFree, Regions: []string{"US"}, Start: start})
	}
	return out
}

func date(h uint64) (month, day int) { return 1 + int(h%12), 1 + int(h>>8%28) }

func (g *gen) seriesYear(k int) int { return 1995 + int(mix(g.Seed, kindSeries<<48|uint64(k))%25) }

func (g *gen) seriesTitle(k int) string {
	a := g.arena()
	a.mark()
	g.title(a, mix(g.Seed, kindSeries<<48|uint64(k)))
	return a.done()[0]
}

func (g *gen) series(k int) *catalog.Work {
	h := mix(g.Seed, kindSeries<<48|uint64(k))
	year := g.seriesYear(k)
	m, d := date(h >> 32)
	a := g.arena()
	a.mark()
	a.str("series-").num(k, 7)
	a.mark()
	g.title(a, h)
	a.mark()
	g.synopsis(a, h>>12)
	if r := g.changed(kindSeries, uint64(k)); r > 0 {
		a.str(" Revised in revision ").num(r, 0).str(".")
	}
	a.mark()
	a.str("https://img.livingroom.example/syn/series/").num(k, 7).str(".jpg")
	a.mark()
	a.str("tt").num(10_000_000+k, 8)
	a.mark()
	a.num(year, 4).str("-").num(m, 2).str("-").num(d, 2)
	s := a.done()
	return &catalog.Work{
		ID: s[0], Kind: catalog.Series, Title: s[1], Synopsis: s[2], ImageURL: s[3],
		ExternalIDs: map[string]string{"imdb": s[4]}, ReleaseDate: s[5], ReleaseYear: year,
		Genres: genres(h >> 20), Actors: g.people(h, 4), Rank: k + 1, ContentRating: pick(tvRatings, h>>28),
		Original: h>>36%10 == 0, Availability: availability(h>>40, year, 0),
	}
}

func (g *gen) season(k, j int) *catalog.Work {
	h := mix(g.Seed, kindSeason<<48|uint64(k)<<12|uint64(j))
	year := g.seriesYear(k) + j - 1
	a := g.arena()
	a.mark()
	a.str("season-").num(k, 7).str("-").num(j, 3)
	a.mark()
	a.str("series-").num(k, 7)
	a.mark()
	a.str("Season ").num(j, 0)
	a.mark()
	a.str("https://img.livingroom.example/syn/series/").num(k, 7).str("/season-").num(j, 0).str(".jpg")
	s := a.done()
	w := &catalog.Work{
		ID: s[0], Kind: catalog.Season, SeriesID: s[1], SeriesTitle: g.seriesTitle(k), Title: s[2], ImageURL: s[3],
		Season: j, ReleaseYear: year, Availability: availability(h, year, g.changed(kindSeason, uint64(k)<<12|uint64(j))),
	}
	return w
}

func (g *gen) episode(k, j, e int) *catalog.Work {
	pos := uint64(k)<<24 | uint64(j)<<12 | uint64(e)
	if g.removed(kindEpisode, pos) {
		return nil
	}
	h := mix(g.Seed, kindEpisode<<48|pos)
	year := g.seriesYear(k) + j - 1
	m, d := date(h)
	a := g.arena()
	a.mark()
	a.str("episode-").num(k, 7).str("-").num(j, 3).str("-").num(e, 4)
	a.mark()
	a.str("series-").num(k, 7)
	a.mark()
	a.str("season-").num(k, 7).str("-").num(j, 3)
	a.mark()
	g.title(a, h>>4)
	a.mark()
	g.synopsis(a, h>>20)
	if r := g.changed(kindEpisode, pos); r > 0 {
		a.str(" Revised in revision ").num(r, 0).str(".")
	}
	a.mark()
	a.num(year, 4).str("-").num(m, 2).str("-").num(d, 2)
	a.mark()
	if h>>30%20 != 0 { // a few episodes have no still
		a.str("https://img.livingroom.example/syn/episodes/").num(k, 7).str("-").num(j, 3).str("-").num(e, 4).str(".jpg")
	}
	s := a.done()
	runtimes := []int{22, 24, 30, 42, 45, 52, 58, 60}
	return &catalog.Work{
		ID: s[0], Kind: catalog.Episode, SeriesID: s[1], SeasonID: s[2], Title: s[3], Synopsis: s[4], AirDate: s[5],
		ImageURL: s[6], SeriesTitle: g.seriesTitle(k), Season: j, Episode: e, ReleaseYear: year,
		RuntimeMinutes: pick(runtimes, h>>36), ContentRating: pick(tvRatings, mix(g.Seed, uint64(k))),
	}
}

func (g *gen) movie(i int) *catalog.Work {
	if g.removed(kindMovie, uint64(i)) {
		return nil
	}
	h := mix(g.Seed, kindMovie<<48|uint64(i))
	year := 1970 + int(h%56)
	m, d := date(h >> 8)
	a := g.arena()
	a.mark()
	a.str("movie-").num(i, 7)
	a.mark()
	g.title(a, h>>12)
	if r := g.changed(kindMovie, uint64(i)); r > 0 {
		a.str(": Director's Cut ").num(r, 0)
	}
	a.mark()
	g.synopsis(a, h>>20)
	a.mark()
	a.str("https://img.livingroom.example/syn/movies/").num(i, 7).str(".jpg")
	a.mark()
	a.str("tt").num(20_000_000+i, 8)
	a.mark()
	a.str("MV").num(i, 10)
	a.mark()
	a.num(year, 4).str("-").num(m, 2).str("-").num(d, 2)
	s := a.done()
	return &catalog.Work{
		ID: s[0], Kind: catalog.Movie, Title: s[1], Synopsis: s[2], ImageURL: s[3],
		ExternalIDs: map[string]string{"imdb": s[4], "tms": s[5]}, ReleaseDate: s[6], ReleaseYear: year,
		Genres: genres(h >> 28), Actors: g.people(h>>4, 3+int(h>>40%3)), Directors: g.people(h>>6, 1),
		RuntimeMinutes: 80 + int(h>>44%90), Rank: i + 1, ContentRating: pick(filmRatings, h>>50),
		Original: h>>56%25 == 0, Availability: availability(h>>32, year, 0),
	}
}

func (g *gen) channel(c int) *catalog.Channel {
	h := mix(g.Seed, kindChannel<<48|uint64(c))
	name := stations[c%len(stations)]
	if c >= len(stations) {
		name += " " + strconv.Itoa(c/len(stations)+1)
	}
	ch := &catalog.Channel{
		ID: fmt.Sprintf("channel-%03d", c), Number: strconv.Itoa(100 + c), CallSign: fmt.Sprintf("LR%03d", c), Name: name,
		Genres: []string{pick(genreNames, h)}, ImageURL: fmt.Sprintf("https://img.livingroom.example/syn/channels/%03d.png", c),
	}
	// A day of hour-long airings of series from the catalog, from a fixed
	// date so the bytes do not depend on the clock.
	for hour := range 24 {
		k := int(mix(h, uint64(hour)) % uint64(max(g.l.series, 1)))
		a := catalog.Airing{Start: fmt.Sprintf("2026-12-01T%02d:00:00Z", hour), Minutes: 60}
		if g.l.series > 0 {
			a.WorkID, a.Title = "series-"+fmt.Sprintf("%07d", k), g.seriesTitle(k)
		} else {
			a.Title = name + " Live"
		}
		ch.Schedule = append(ch.Schedule, a)
	}
	return ch
}
