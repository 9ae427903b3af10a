package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"livingroom/internal/catalog"
)

// Catalog is the catalog index on one DynamoDB table (internal/tables/
// catalog.json). Every work is written once in full under WORK#<id> and
// again, denormalised, under each lookup key, so each read is one GetItem
// or one Query:
//
//	WORK#<id>                      WORK
//	SERIES#<seriesId>              EPISODE#<season %04d>#<episode %04d>
//	TITLE#<normalised title>       <KIND>#<id>       movies, series, episodes
//	EXTERNAL#<scheme>#<id>         WORK#<id>
//	GENRE#<normalised genre>       RANK#<rank %08d>#<id>   movies and series
//	PERSON#<normalised name>       RANK#<rank %08d>#<id>   movies and series, actors and directors
//	LINEUP                         NUMBER#<lineup key>#<id>
//	CHANNEL#<id>                   CHANNEL
//	CHANNEL_NUMBER#<n> | CHANNEL_CALLSIGN#<UPPER> | CHANNEL_NAME#<normalised>   CHANNEL#<id>
//
// PutWorks upserts; ReplaceWorks and DeleteWorks read the stored version of
// each work first and delete the lookup items it no longer has (a renamed
// title, a dropped external id, a removed work), so the index never answers
// with a stale key.
type Catalog struct {
	api         API
	table       string
	pageSize    int32 // Query page size; 0 lets DynamoDB page by its 1 MB limit
	maxAttempts int   // BatchWriteItem calls per chunk, counting retries of unprocessed items
	backoff     func(attempt int) time.Duration
}

// NewCatalog returns the catalog index on table.
func NewCatalog(api API, table string) *Catalog {
	return &Catalog{api: api, table: table, maxAttempts: 8, backoff: sdkBackoff}
}

// batchSize is BatchWriteItem's limit.
const batchSize = 25

const (
	attrID = "id"
	skWork = "WORK"
	skChan = "CHANNEL"
)

// unprocessedBackoff is the SDK's exponential backoff with full jitter
// (the one its standard retryer uses between attempts), capped at 5 s.
// The SDK retries a failed BatchWriteItem call itself; unprocessed items
// come back in a successful reply, so this waits between resending them.
var unprocessedBackoff = retry.NewExponentialJitterBackoff(5 * time.Second)

func sdkBackoff(attempt int) time.Duration {
	d, err := unprocessedBackoff.BackoffDelay(attempt, nil)
	if err != nil {
		return time.Second
	}
	return d
}

// PutWorks writes works and their lookup items. Every work is validated
// first; an invalid one fails the call before anything is written.
func (c *Catalog) PutWorks(ctx context.Context, works []catalog.Work) error {
	if len(works) == 0 {
		return nil
	}
	var b batch
	for _, w := range works {
		if err := w.Validate(); err != nil {
			return fmt.Errorf("put work %s: %w", w.ID, err)
		}
		attrs := workAttrs(w)
		for _, k := range workKeys(w) {
			b.put(attrs, k[0], k[1])
		}
	}
	if err := c.write(ctx, b.reqs); err != nil {
		return fmt.Errorf("put %d works (first %s): %w", len(works), works[0].ID, err)
	}
	return nil
}

// workKeys lists the items of a work: its own and one per lookup.
func workKeys(w catalog.Work) [][2]string {
	keys := [][2]string{{"WORK#" + w.ID, skWork}}
	if title := catalog.NormalizeTitle(w.Title); title != "" && w.Kind != catalog.Season {
		keys = append(keys, [2]string{"TITLE#" + title, string(w.Kind) + "#" + w.ID})
	}
	for _, scheme := range slices.Sorted(maps.Keys(w.ExternalIDs)) {
		keys = append(keys, [2]string{"EXTERNAL#" + scheme + "#" + w.ExternalIDs[scheme], "WORK#" + w.ID})
	}
	if w.Kind == catalog.Episode {
		keys = append(keys, [2]string{"SERIES#" + w.SeriesID, episodeSK(catalog.EpisodeRef{Season: w.Season, Episode: w.Episode})})
	}
	if w.Kind == catalog.Movie || w.Kind == catalog.Series {
		rank := fmt.Sprintf("RANK#%08d#%s", catalog.RankKey(w.Rank), w.ID)
		for _, g := range w.Genres {
			keys = append(keys, [2]string{"GENRE#" + catalog.NormalizeGenre(g), rank})
		}
		for _, p := range slices.Concat(w.Actors, w.Directors) {
			if k := [2]string{"PERSON#" + catalog.NormalizePerson(p), rank}; k[0] != "PERSON#" && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// ReplaceWorks writes changed works and deletes the lookup items their
// stored versions have and the new ones do not.
func (c *Catalog) ReplaceWorks(ctx context.Context, works []catalog.Work) error {
	if len(works) == 0 {
		return nil
	}
	for _, w := range works {
		if err := w.Validate(); err != nil {
			return fmt.Errorf("replace work %s: %w", w.ID, err)
		}
	}
	ids := make([]string, len(works))
	for i, w := range works {
		ids[i] = w.ID
	}
	old, err := c.getMany(ctx, "WORK#", skWork, ids)
	if err != nil {
		return fmt.Errorf("replace %d works: %w", len(works), err)
	}
	var b batch
	for i, w := range works {
		attrs := workAttrs(w)
		keys := workKeys(w)
		if old[i] != nil {
			prev, err := workFromItem(old[i])
			if err != nil {
				return fmt.Errorf("replace work %s: %w", w.ID, err)
			}
			for _, k := range workKeys(prev) {
				if !slices.Contains(keys, k) {
					b.delete(k[0], k[1])
				}
			}
		}
		for _, k := range keys {
			b.put(attrs, k[0], k[1])
		}
	}
	if err := c.write(ctx, b.reqs); err != nil {
		return fmt.Errorf("replace %d works (first %s): %w", len(works), works[0].ID, err)
	}
	return nil
}

// DeleteWorks deletes works and every lookup item of their stored
// versions; ids not in the index are passed over.
func (c *Catalog) DeleteWorks(ctx context.Context, ids []string) error {
	old, err := c.getMany(ctx, "WORK#", skWork, ids)
	if err != nil {
		return fmt.Errorf("delete %d works: %w", len(ids), err)
	}
	var b batch
	for _, item := range old {
		if item == nil {
			continue
		}
		prev, err := workFromItem(item)
		if err != nil {
			return fmt.Errorf("delete works: %w", err)
		}
		for _, k := range workKeys(prev) {
			b.delete(k[0], k[1])
		}
	}
	if err := c.write(ctx, b.reqs); err != nil {
		return fmt.Errorf("delete %d works: %w", len(ids), err)
	}
	return nil
}

// batchGetter is the client's BatchGetItem; the adapter uses it when the
// API has it (the SDK client does) and falls back to GetItem.
type batchGetter interface {
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// batchGetSize is BatchGetItem's limit.
const batchGetSize = 100

// getMany reads items by id; a missing item is nil.
func (c *Catalog) getMany(ctx context.Context, pkPrefix, sk string, ids []string) ([]map[string]types.AttributeValue, error) {
	if bg, ok := c.api.(batchGetter); ok {
		return c.batchGet(ctx, bg, pkPrefix, sk, ids)
	}
	out := make([]map[string]types.AttributeValue, len(ids))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, id := range ids {
		g.Go(func() error {
			res, err := c.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(c.table), Key: key(pkPrefix+id, sk)})
			if err != nil {
				return fmt.Errorf("get %s%s: %w", pkPrefix, id, err)
			}
			if len(res.Item) > 0 {
				out[i] = res.Item
			}
			return nil
		})
	}
	return out, g.Wait()
}

// batchGet reads items 100 at a time, retrying unprocessed keys with the
// same backoff as writes.
func (c *Catalog) batchGet(ctx context.Context, bg batchGetter, pkPrefix, sk string, ids []string) ([]map[string]types.AttributeValue, error) {
	byPK := map[string]map[string]types.AttributeValue{}
	for start := 0; start < len(ids); start += batchGetSize {
		var keys []map[string]types.AttributeValue
		seen := map[string]bool{}
		for _, id := range ids[start:min(start+batchGetSize, len(ids))] {
			if !seen[id] { // BatchGetItem rejects a key named twice
				seen[id] = true
				keys = append(keys, key(pkPrefix+id, sk))
			}
		}
		for attempt := 1; len(keys) > 0; attempt++ {
			res, err := bg.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
				RequestItems: map[string]types.KeysAndAttributes{c.table: {Keys: keys}},
			})
			if err != nil {
				return nil, fmt.Errorf("batch get %d items from %s: %w", len(keys), c.table, err)
			}
			for _, item := range res.Responses[c.table] {
				if pk, ok := item[attrPK].(*types.AttributeValueMemberS); ok {
					byPK[pk.Value] = item
				}
			}
			keys = res.UnprocessedKeys[c.table].Keys
			if len(keys) == 0 {
				break
			}
			if attempt >= c.maxAttempts {
				return nil, fmt.Errorf("batch get from %s: %d keys still unprocessed after %d attempts", c.table, len(keys), attempt)
			}
			if err := sleep(ctx, c.backoff(attempt)); err != nil {
				return nil, fmt.Errorf("batch get from %s: %w", c.table, err)
			}
		}
	}
	out := make([]map[string]types.AttributeValue, len(ids))
	for i, id := range ids {
		out[i] = byPK[pkPrefix+id]
	}
	return out, nil
}

// PutChannels writes channels and their lookup items.
func (c *Catalog) PutChannels(ctx context.Context, channels []catalog.Channel) error {
	if len(channels) == 0 {
		return nil
	}
	var b batch
	for _, ch := range channels {
		if err := ch.Validate(); err != nil {
			return fmt.Errorf("put channel %s: %w", ch.ID, err)
		}
		attrs := channelAttrs(ch)
		for _, k := range channelKeys(ch) {
			b.put(attrs, k[0], k[1])
		}
	}
	if err := c.write(ctx, b.reqs); err != nil {
		return fmt.Errorf("put %d channels (first %s): %w", len(channels), channels[0].ID, err)
	}
	return nil
}

func channelKeys(ch catalog.Channel) [][2]string {
	sk := "CHANNEL#" + ch.ID
	keys := [][2]string{{"CHANNEL#" + ch.ID, skChan}, {"LINEUP", "NUMBER#" + catalog.LineupKey(ch.Number) + "#" + ch.ID}}
	if ch.Number != "" {
		keys = append(keys, [2]string{"CHANNEL_NUMBER#" + ch.Number, sk})
	}
	if ch.CallSign != "" {
		keys = append(keys, [2]string{"CHANNEL_CALLSIGN#" + strings.ToUpper(ch.CallSign), sk})
	}
	if name := catalog.NormalizeTitle(ch.Name); name != "" {
		keys = append(keys, [2]string{"CHANNEL_NAME#" + name, sk})
	}
	return keys
}

// DeleteChannels deletes channels and their lookup items.
func (c *Catalog) DeleteChannels(ctx context.Context, ids []string) error {
	old, err := c.getMany(ctx, "CHANNEL#", skChan, ids)
	if err != nil {
		return fmt.Errorf("delete %d channels: %w", len(ids), err)
	}
	var b batch
	for _, item := range old {
		if item == nil {
			continue
		}
		ch, err := channelFromItem(item)
		if err != nil {
			return fmt.Errorf("delete channels: %w", err)
		}
		for _, k := range channelKeys(ch) {
			b.delete(k[0], k[1])
		}
	}
	if err := c.write(ctx, b.reqs); err != nil {
		return fmt.Errorf("delete %d channels: %w", len(ids), err)
	}
	return nil
}

// GetWork returns one work by id.
func (c *Catalog) GetWork(ctx context.Context, id string) (catalog.Work, error) {
	if id == "" {
		return catalog.Work{}, fmt.Errorf("get work: empty id: %w", catalog.ErrInvalid)
	}
	out, err := c.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(c.table), Key: key("WORK#"+id, skWork)})
	if err != nil {
		return catalog.Work{}, fmt.Errorf("get work %s: %w", id, err)
	}
	if len(out.Item) == 0 {
		return catalog.Work{}, fmt.Errorf("get work %s: %w", id, catalog.ErrNotFound)
	}
	w, err := workFromItem(out.Item)
	if err != nil {
		return catalog.Work{}, fmt.Errorf("get work %s: %w", id, err)
	}
	return w, nil
}

// FindByExternalID returns the works carrying an external id.
func (c *Catalog) FindByExternalID(ctx context.Context, scheme, id string) ([]catalog.Work, error) {
	what := fmt.Sprintf("find %s id %s", scheme, id)
	return c.findWorks(ctx, what, "EXTERNAL#"+strings.ToLower(scheme)+"#"+id, 0)
}

// FindByTitle returns the movies, series and episodes whose normalised
// title matches, ordered by kind and id.
func (c *Catalog) FindByTitle(ctx context.Context, title string) ([]catalog.Work, error) {
	norm := catalog.NormalizeTitle(title)
	if norm == "" {
		return nil, fmt.Errorf("find title %q: empty title: %w", title, catalog.ErrInvalid)
	}
	return c.findWorks(ctx, fmt.Sprintf("find title %q", title), "TITLE#"+norm, 0)
}

// FindByGenre returns movies and series of a genre by rank, unranked last.
func (c *Catalog) FindByGenre(ctx context.Context, genre string, limit int) ([]catalog.Work, error) {
	norm := catalog.NormalizeGenre(genre)
	if norm == "" {
		return nil, fmt.Errorf("find genre %q: empty genre: %w", genre, catalog.ErrInvalid)
	}
	return c.findWorks(ctx, fmt.Sprintf("find genre %q", genre), "GENRE#"+norm, limit)
}

// Episodes returns up to limit episodes of a series after from, in season
// and episode order; limit ≤ 0 returns all of them.
func (c *Catalog) Episodes(ctx context.Context, seriesID string, from catalog.EpisodeRef, limit int) ([]catalog.Work, error) {
	out := []catalog.Work{}
	err := c.query(ctx, "SERIES#"+seriesID, episodeSK(from), limit, func(item map[string]types.AttributeValue) error {
		w, err := workFromItem(item)
		out = append(out, w)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("episodes of %s after S%dE%d: %w", seriesID, from.Season, from.Episode, err)
	}
	return out, nil
}

// FindByPerson returns movies and series of an actor or director by rank.
func (c *Catalog) FindByPerson(ctx context.Context, name string, limit int) ([]catalog.Work, error) {
	norm := catalog.NormalizePerson(name)
	if norm == "" {
		return nil, fmt.Errorf("find person: empty name: %w", catalog.ErrInvalid)
	}
	return c.findWorks(ctx, "find person", "PERSON#"+norm, limit)
}

// Lineup returns the channels in number order (one Query).
func (c *Catalog) Lineup(ctx context.Context) ([]catalog.Channel, error) {
	var out []catalog.Channel
	err := c.query(ctx, "LINEUP", "", catalog.MaxLineup, func(item map[string]types.AttributeValue) error {
		ch, err := channelFromItem(item)
		out = append(out, ch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("lineup: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("lineup: %w", catalog.ErrNotFound)
	}
	return out, nil
}

// FindChannel returns the channels matching the first set field of ref.
func (c *Catalog) FindChannel(ctx context.Context, ref catalog.ChannelRef) ([]catalog.Channel, error) {
	var pk string
	switch {
	case ref.Number != "":
		pk = "CHANNEL_NUMBER#" + ref.Number
	case ref.CallSign != "":
		pk = "CHANNEL_CALLSIGN#" + strings.ToUpper(ref.CallSign)
	case catalog.NormalizeTitle(ref.Name) != "":
		pk = "CHANNEL_NAME#" + catalog.NormalizeTitle(ref.Name)
	default:
		return nil, fmt.Errorf("find channel: empty reference: %w", catalog.ErrInvalid)
	}
	var out []catalog.Channel
	err := c.query(ctx, pk, "", 0, func(item map[string]types.AttributeValue) error {
		ch, err := channelFromItem(item)
		out = append(out, ch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find channel %+v: %w", ref, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("find channel %+v: %w", ref, catalog.ErrNotFound)
	}
	return out, nil
}

func (c *Catalog) findWorks(ctx context.Context, what, pk string, limit int) ([]catalog.Work, error) {
	var out []catalog.Work
	err := c.query(ctx, pk, "", limit, func(item map[string]types.AttributeValue) error {
		w, err := workFromItem(item)
		out = append(out, w)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", what, catalog.ErrNotFound)
	}
	return out, nil
}

// query reads one partition in sort key order, after the sort key after
// when it is set, following LastEvaluatedKey until limit items (≤ 0: all).
func (c *Catalog) query(ctx context.Context, pk, after string, limit int, visit func(map[string]types.AttributeValue) error) error {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(c.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	}
	if after != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk > :after")
		in.ExpressionAttributeNames["#sk"] = attrSK
		in.ExpressionAttributeValues[":after"] = &types.AttributeValueMemberS{Value: after}
	}
	seen := 0
	for {
		page := c.pageSize
		if limit > 0 && (page == 0 || int(page) > limit-seen) {
			page = int32(limit - seen)
		}
		if page > 0 {
			in.Limit = aws.Int32(page)
		}
		out, err := c.api.Query(ctx, in)
		if err != nil {
			return fmt.Errorf("query %s: %w", pk, err)
		}
		for _, item := range out.Items {
			if err := visit(item); err != nil {
				return err
			}
			if seen++; limit > 0 && seen == limit {
				return nil
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// write sends put and delete requests in chunks of 25, retrying unprocessed items
// with backoff until maxAttempts calls per chunk.
func (c *Catalog) write(ctx context.Context, reqs []types.WriteRequest) error {
	for len(reqs) > 0 {
		n := min(batchSize, len(reqs))
		pending := reqs[:n]
		reqs = reqs[n:]
		for attempt := 1; ; attempt++ {
			out, err := c.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{c.table: pending},
			})
			if err != nil {
				return fmt.Errorf("batch write %d items to %s: %w", len(pending), c.table, err)
			}
			pending = out.UnprocessedItems[c.table]
			if len(pending) == 0 {
				break
			}
			if attempt >= c.maxAttempts {
				return fmt.Errorf("batch write to %s: %d items still unprocessed after %d attempts", c.table, len(pending), attempt)
			}
			if err := sleep(ctx, c.backoff(attempt)); err != nil {
				return fmt.Errorf("batch write to %s: %d items unprocessed: %w", c.table, len(pending), err)
			}
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// batch collects put requests, one per key: BatchWriteItem rejects a
// request that names the same key twice, so a later put replaces an
// earlier one (a work listed twice, genres that fold alike).
type batch struct {
	reqs []types.WriteRequest
	at   map[string]int // pk + "\x00" + sk → index in reqs
}

func (b *batch) put(attrs map[string]types.AttributeValue, pk, sk string) {
	item := maps.Clone(attrs)
	maps.Copy(item, key(pk, sk))
	b.add(pk, sk, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
}

func (b *batch) delete(pk, sk string) {
	b.add(pk, sk, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(pk, sk)}})
}

func (b *batch) add(pk, sk string, req types.WriteRequest) {
	k := pk + "\x00" + sk
	if i, ok := b.at[k]; ok {
		b.reqs[i] = req
		return
	}
	if b.at == nil {
		b.at = map[string]int{}
	}
	b.at[k] = len(b.reqs)
	b.reqs = append(b.reqs, req)
}

func episodeSK(r catalog.EpisodeRef) string {
	return fmt.Sprintf("EPISODE#%04d#%04d", r.Season, r.Episode)
}

// Item attributes, one per Work and Channel field; empty fields are left out.
func workAttrs(w catalog.Work) map[string]types.AttributeValue {
	a := attrs{}
	a.s(attrID, w.ID)
	a.s("kind", string(w.Kind))
	a.s("title", w.Title)
	a.m("externalIds", w.ExternalIDs)
	a.s("synopsis", w.Synopsis)
	a.l("genres", w.Genres)
	a.l("actors", w.Actors)
	a.l("directors", w.Directors)
	a.n("releaseYear", w.ReleaseYear)
	a.s("releaseDate", w.ReleaseDate)
	a.n("runtimeMinutes", w.RuntimeMinutes)
	a.n("rank", w.Rank)
	a.s("contentRating", w.ContentRating)
	a.s("imageUrl", w.ImageURL)
	if w.Original {
		a["original"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	a.s("seriesId", w.SeriesID)
	a.s("seriesTitle", w.SeriesTitle)
	a.s("seasonId", w.SeasonID)
	a.n("season", w.Season)
	a.n("episode", w.Episode)
	a.s("airDate", w.AirDate)
	return a
}

func workFromItem(item map[string]types.AttributeValue) (catalog.Work, error) {
	r := reader{item: item}
	w := catalog.Work{
		ID: r.s(attrID), Kind: catalog.Kind(r.s("kind")), Title: r.s("title"),
		ExternalIDs: r.m("externalIds"), Synopsis: r.s("synopsis"),
		Genres: r.l("genres"), Actors: r.l("actors"), Directors: r.l("directors"),
		ReleaseYear: r.n("releaseYear"), ReleaseDate: r.s("releaseDate"), RuntimeMinutes: r.n("runtimeMinutes"),
		Rank: r.n("rank"), ContentRating: r.s("contentRating"), ImageURL: r.s("imageUrl"), Original: r.b("original"),
		SeriesID: r.s("seriesId"), SeriesTitle: r.s("seriesTitle"), SeasonID: r.s("seasonId"),
		Season: r.n("season"), Episode: r.n("episode"), AirDate: r.s("airDate"),
	}
	if r.err != nil {
		return catalog.Work{}, fmt.Errorf("decode work item %s: %w", w.ID, r.err)
	}
	return w, nil
}

func channelAttrs(c catalog.Channel) map[string]types.AttributeValue {
	a := attrs{}
	a.s(attrID, c.ID)
	a.s("number", c.Number)
	a.s("callSign", c.CallSign)
	a.s("name", c.Name)
	a.s("affiliate", c.Affiliate)
	a.l("genres", c.Genres)
	a.s("imageUrl", c.ImageURL)
	a.m("externalIds", c.ExternalIDs)
	if len(c.Schedule) > 0 {
		// Kept as one JSON string: only the next airings, to find what is
		// on air when a channel is tuned.
		b, _ := json.Marshal(c.Schedule[:min(len(c.Schedule), catalog.MaxIndexedAirings)])
		a.s("schedule", string(b))
	}
	return a
}

func channelFromItem(item map[string]types.AttributeValue) (catalog.Channel, error) {
	r := reader{item: item}
	c := catalog.Channel{
		ID: r.s(attrID), Number: r.s("number"), CallSign: r.s("callSign"), Name: r.s("name"),
		Affiliate: r.s("affiliate"), Genres: r.l("genres"), ImageURL: r.s("imageUrl"), ExternalIDs: r.m("externalIds"),
	}
	if sched := r.s("schedule"); sched != "" {
		if err := json.Unmarshal([]byte(sched), &c.Schedule); err != nil {
			return catalog.Channel{}, fmt.Errorf("decode channel item %s schedule: %w", c.ID, err)
		}
	}
	if r.err != nil {
		return catalog.Channel{}, fmt.Errorf("decode channel item %s: %w", c.ID, r.err)
	}
	return c, nil
}

type attrs map[string]types.AttributeValue

func (a attrs) s(name, v string) {
	if v != "" {
		a[name] = &types.AttributeValueMemberS{Value: v}
	}
}

func (a attrs) n(name string, v int) {
	if v != 0 {
		a[name] = &types.AttributeValueMemberN{Value: strconv.Itoa(v)}
	}
}

// l stores a list rather than a string set: sets cannot be empty and lose
// order, and the order of cast and genres matters.
func (a attrs) l(name string, v []string) {
	if len(v) == 0 {
		return
	}
	list := make([]types.AttributeValue, len(v))
	for i, s := range v {
		list[i] = &types.AttributeValueMemberS{Value: s}
	}
	a[name] = &types.AttributeValueMemberL{Value: list}
}

func (a attrs) m(name string, v map[string]string) {
	if len(v) == 0 {
		return
	}
	m := make(map[string]types.AttributeValue, len(v))
	for k, s := range v {
		m[k] = &types.AttributeValueMemberS{Value: s}
	}
	a[name] = &types.AttributeValueMemberM{Value: m}
}

// reader decodes attributes, keeping the first type mismatch.
type reader struct {
	item map[string]types.AttributeValue
	err  error
}

var errAttrType = errors.New("unexpected attribute type")

func (r *reader) fail(name string, v types.AttributeValue) {
	if r.err == nil {
		r.err = fmt.Errorf("attribute %s is %T: %w", name, v, errAttrType)
	}
}

func (r *reader) s(name string) string {
	switch v := r.item[name].(type) {
	case nil:
		return ""
	case *types.AttributeValueMemberS:
		return v.Value
	default:
		r.fail(name, v)
		return ""
	}
}

func (r *reader) n(name string) int {
	switch v := r.item[name].(type) {
	case nil:
		return 0
	case *types.AttributeValueMemberN:
		n, err := strconv.Atoi(v.Value)
		if err != nil && r.err == nil {
			r.err = fmt.Errorf("attribute %s: %w", name, err)
		}
		return n
	default:
		r.fail(name, v)
		return 0
	}
}

func (r *reader) b(name string) bool {
	switch v := r.item[name].(type) {
	case nil:
		return false
	case *types.AttributeValueMemberBOOL:
		return v.Value
	default:
		r.fail(name, v)
		return false
	}
}

func (r *reader) l(name string) []string {
	switch v := r.item[name].(type) {
	case nil:
		return nil
	case *types.AttributeValueMemberL:
		out := make([]string, 0, len(v.Value))
		for _, e := range v.Value {
			s, ok := e.(*types.AttributeValueMemberS)
			if !ok {
				r.fail(name, e)
				return nil
			}
			out = append(out, s.Value)
		}
		return out
	default:
		r.fail(name, v)
		return nil
	}
}

func (r *reader) m(name string) map[string]string {
	switch v := r.item[name].(type) {
	case nil:
		return nil
	case *types.AttributeValueMemberM:
		out := make(map[string]string, len(v.Value))
		for k, e := range v.Value {
			s, ok := e.(*types.AttributeValueMemberS)
			if !ok {
				r.fail(name, e)
				return nil
			}
			out[k] = s.Value
		}
		return out
	default:
		r.fail(name, v)
		return nil
	}
}

// The index marker names the export the table holds, so an exporter whose
// snapshot outlived the table (a fresh local table, a restore) rewrites it
// in full instead of patching a table that is not what it thinks.
const (
	pkIndexMeta   = "INDEX#META"
	attrExportGen = "generation"
)

// Generation returns the export generation the index holds; "" when none.
func (c *Catalog) Generation(ctx context.Context) (string, error) {
	out, err := c.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(c.table), Key: key(pkIndexMeta, pkIndexMeta), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("index generation: %w", err)
	}
	if s, ok := out.Item[attrExportGen].(*types.AttributeValueMemberS); ok {
		return s.Value, nil
	}
	return "", nil
}

// SetGeneration records the export generation the index now holds.
func (c *Catalog) SetGeneration(ctx context.Context, gen string) error {
	item := key(pkIndexMeta, pkIndexMeta)
	item[attrExportGen] = &types.AttributeValueMemberS{Value: gen}
	if _, err := c.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(c.table), Item: item}); err != nil {
		return fmt.Errorf("set index generation: %w", err)
	}
	return nil
}
