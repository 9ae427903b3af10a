package nlu

import (
	"slices"
	"strconv"
	"strings"

	"livingroom/alexa-sim/ingest"
)

// maxTitleWords bounds the words of a catalog title that can be matched in
// an utterance. With it, finding titles in n words costs at most
// n × maxTitleWords map lookups: linear in the utterance, independent of
// the catalog's size.
const maxTitleWords = 12

// Index is the catalog as the language layer reads it: titles by their
// spoken form, the words of all titles for spelling correction, and the
// channel lineup. Build it once per ingested catalog; it is immutable and
// safe for concurrent use. The zero value is an empty catalog.
type Index struct {
	titles   []title
	byKey    map[string]int32 // compact key → titles index
	maxWords int
	// vocabulary and its one-deletion neighbourhood find the title word a
	// misspelt word was meant to be (symmetric-delete spelling correction).
	vocab   map[string]int32 // word → how many titles use it
	words   []string         // the vocabulary, indexed by deletes
	deletes map[string][]int32

	channels   []ingest.Channel
	byNumber   map[string]int
	byChanKey  map[string]int // compact call sign or name
	titleCount int
}

// title is one spoken title and the works that carry it, in feed order.
type title struct {
	works []ingest.Work
	words int
}

// NewIndex indexes works (movies and shows) and channels.
func NewIndex(works []ingest.Work, channels []ingest.Channel) *Index {
	x := &Index{
		byKey: map[string]int32{}, vocab: map[string]int32{}, deletes: map[string][]int32{},
		byNumber: map[string]int{}, byChanKey: map[string]int{},
	}
	var buf []byte
	for _, w := range works {
		toks := titleTokens(w.Title)
		if len(toks) == 0 || len(toks) > maxTitleWords {
			continue
		}
		buf = compactKey(buf[:0], toks)
		i, ok := x.byKey[string(buf)]
		if !ok {
			i = int32(len(x.titles))
			x.byKey[string(buf)] = i
			x.titles = append(x.titles, title{words: len(toks)})
			x.maxWords = max(x.maxWords, len(toks))
			for _, t := range toks {
				x.vocab[numberKey(t.key)]++
			}
		}
		if !slices.ContainsFunc(x.titles[i].works, func(o ingest.Work) bool { return o.ID == w.ID }) {
			x.titles[i].works = append(x.titles[i].works, w)
		}
	}
	x.titleCount = len(x.titles)
	for word := range x.vocab {
		if len([]rune(word)) < minFuzzyRunes {
			continue
		}
		id := int32(len(x.words))
		x.words = append(x.words, word)
		for _, d := range deletions(word) {
			if ids := x.deletes[d]; len(ids) == 0 || ids[len(ids)-1] != id { // "aab" loses an "a" twice
				x.deletes[d] = append(ids, id)
			}
		}
	}
	x.channels = slices.Clone(channels)
	for i, c := range x.channels {
		if n := channelNumberKey(c.Number); n != "" {
			setOnce(x.byNumber, n, i)
		}
		for _, cs := range c.CallSigns {
			setOnce(x.byChanKey, string(compactKey(nil, titleTokens(cs))), i)
		}
		setOnce(x.byChanKey, string(compactKey(nil, titleTokens(c.Name))), i)
	}
	return x
}

func setOnce(m map[string]int, key string, i int) {
	if _, ok := m[key]; !ok && key != "" {
		m[key] = i
	}
}

// Titles counts the distinct spoken titles indexed.
func (x *Index) Titles() int {
	if x == nil {
		return 0
	}
	return x.titleCount
}

// titleTokens splits a catalog title like an utterance, without the
// leading article, which people drop ("watch Handmaid's Tale").
func titleTokens(s string) []token {
	if len(s) > MaxUtteranceBytes {
		return nil
	}
	toks, err := tokenize(s)
	if err != nil {
		return nil
	}
	if len(toks) > 1 && isArticle(toks[0].key) {
		toks = toks[1:]
	}
	return toks
}

func isArticle(w string) bool { return w == "the" || w == "a" || w == "an" }

// compactKey appends the words without spaces, so "spiderman" and
// "Spider-Man" share a key, and number words as digits.
func compactKey(buf []byte, toks []token) []byte {
	for _, t := range toks {
		buf = append(buf, numberKey(t.key)...)
	}
	return buf
}

// channelNumberKey normalises a channel number: "007" and "7" are one.
func channelNumberKey(n string) string {
	n = strings.TrimSpace(n)
	if isDigits(n) {
		n = strings.TrimLeft(n, "0")
		if n == "" {
			n = "0"
		}
	}
	return n
}

// titleMatch is where a title was found in a phrase.
type titleMatch struct {
	title      int32
	start, end int // words [start, end) of the phrase
	covered    int // content words of the phrase inside the match
	keyLen     int
	whole      bool // the title is the whole phrase
	corrected  bool // found after spelling correction
}

// findTitle finds the title a phrase names. The whole phrase wins; else the
// title that covers most of the phrase's content words, then the longest,
// then the earliest. A title that covers no more than half of the content
// words is not taken: "watch prey for the devil" is not a request for
// "Prey". Misspelt words are corrected against the titles' vocabulary
// when the words as said do not make the whole phrase a title.
func (x *Index) findTitle(phrase []token) (titleMatch, bool) {
	if x == nil || len(x.titles) == 0 || len(phrase) == 0 {
		return titleMatch{}, false
	}
	best, ok := x.scan(phrase)
	if ok && best.whole {
		return best, true
	}
	if corrected, changed := x.correct(phrase); changed {
		if m, ok2 := x.scan(corrected); ok2 && (!ok || better(m, best)) {
			m.corrected = true
			best, ok = m, true
		}
	}
	if !ok {
		return titleMatch{}, false
	}
	if !best.whole && best.covered*2 <= contentWords(phrase) {
		return titleMatch{}, false
	}
	return best, true
}

func better(a, b titleMatch) bool {
	if a.whole != b.whole {
		return a.whole
	}
	if a.covered != b.covered {
		return a.covered > b.covered
	}
	return a.keyLen > b.keyLen
}

// scan looks up every run of up to maxWords words.
func (x *Index) scan(phrase []token) (titleMatch, bool) {
	first := 0
	if len(phrase) > 1 && isArticle(phrase[0].key) {
		first = 1
	}
	var best titleMatch
	found := false
	buf := make([]byte, 0, 64)
	for i := first; i < len(phrase); i++ {
		if i > first && isArticle(phrase[i].key) && i+1 < len(phrase) {
			continue // the run starting after the article has the same key
		}
		buf = buf[:0]
		covered := 0
		for j := i; j < len(phrase) && j-i < x.maxWords; j++ {
			buf = append(buf, numberKey(phrase[j].key)...)
			if !isStopWord(phrase[j].key) {
				covered++
			}
			t, ok := x.byKey[string(buf)]
			if !ok {
				continue
			}
			m := titleMatch{title: t, start: i, end: j + 1, covered: covered, keyLen: len(buf), whole: i == first && j == len(phrase)-1}
			if !found || better(m, best) {
				best, found = m, true
			}
		}
	}
	return best, found
}

// minFuzzyRunes: shorter words are not corrected; a one-letter change
// makes another common word too often.
const minFuzzyRunes = 4

// correct replaces words that no title uses by the title word one edit
// away (two for long words), the most common on a tie.
func (x *Index) correct(phrase []token) ([]token, bool) {
	var out []token
	for i, t := range phrase {
		k := numberKey(t.key)
		if _, known := x.vocab[k]; known || isDigits(k) || len([]rune(k)) < minFuzzyRunes {
			continue
		}
		fix, ok := x.nearestWord(k)
		if !ok {
			continue
		}
		if out == nil {
			out = slices.Clone(phrase)
		}
		out[i] = token{text: t.text, key: fix}
	}
	return out, out != nil
}

func (x *Index) nearestWord(w string) (string, bool) {
	maxEdits := 1
	if len([]rune(w)) >= 8 {
		maxEdits = 2
	}
	best, bestDist, bestFreq := "", maxEdits+1, int32(0)
	consider := func(cand string) {
		d := editDistance(w, cand, maxEdits)
		f := x.vocab[cand]
		if d < bestDist || d == bestDist && (f > bestFreq || f == bestFreq && cand < best) {
			best, bestDist, bestFreq = cand, d, f
		}
	}
	for _, c := range x.deletes[w] { // w lacks a letter
		consider(x.words[c])
	}
	for _, d := range deletions(w) {
		if _, ok := x.vocab[d]; ok { // w has an extra letter
			consider(d)
		}
		for _, c := range x.deletes[d] { // a letter changed or two swapped
			consider(x.words[c])
		}
	}
	return best, best != ""
}

// deletions lists w with one letter removed.
func deletions(w string) []string {
	rs := []rune(w)
	out := make([]string, 0, len(rs))
	for i := range rs {
		out = append(out, string(rs[:i])+string(rs[i+1:]))
	}
	return out
}

// editDistance is the optimal-string-alignment distance (insertions,
// deletions, substitutions, adjacent swaps), or limit+1 once it exceeds
// limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit+1)
}

var stopWords = map[string]bool{"the": true, "a": true, "an": true, "of": true, "and": true, "or": true, "to": true,
	"in": true, "on": true, "at": true, "for": true, "with": true, "by": true, "from": true, "my": true, "me": true,
	"this": true, "that": true, "is": true, "it": true}

func isStopWord(w string) bool { return stopWords[w] }

func contentWords(toks []token) int {
	n := 0
	for _, t := range toks {
		if !isStopWord(t.key) {
			n++
		}
	}
	return n
}

// findChannel resolves a whole phrase to a channel: by number ("206",
// "two oh six"), call sign ("WNBC", "e s p n") or name ("Food Network").
func (x *Index) findChannel(phrase []token) (ingest.Channel, bool) {
	if x == nil || len(x.channels) == 0 || len(phrase) == 0 {
		return ingest.Channel{}, false
	}
	if n, used, ordinal, ok := number(phrase); ok && !ordinal && used == len(phrase) {
		i, ok := x.byNumber[strconv.Itoa(n)]
		if ok {
			return x.channels[i], true
		}
		return ingest.Channel{}, false
	}
	first := 0
	if len(phrase) > 1 && isArticle(phrase[0].key) {
		first = 1
	}
	if i, ok := x.byChanKey[string(compactKey(nil, phrase[first:]))]; ok {
		return x.channels[i], true
	}
	return ingest.Channel{}, false
}
