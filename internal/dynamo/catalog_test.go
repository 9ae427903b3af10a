package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"livingroom/internal/catalog"
	"livingroom/internal/catalog/catalogtest"
	"livingroom/internal/dynamo"
	"livingroom/internal/dynamotest"
)

func TestCatalogIndexContract(t *testing.T) {
	t.Parallel()
	catalogtest.RunIndexSuite(t, func(t *testing.T) catalogtest.IndexAndWriter {
		db := dynamotest.New(t)
		c := dynamo.NewCatalog(db.Client, db.Tables["catalog"])
		// Small pages so every lookup of the suite crosses page boundaries.
		dynamo.SetCatalogPaging(c, 4, 8, func(int) time.Duration { return time.Millisecond })
		return c
	})
}

func TestCatalogIndexContractDefaultPaging(t *testing.T) {
	t.Parallel()
	catalogtest.RunIndexSuite(t, func(t *testing.T) catalogtest.IndexAndWriter {
		db := dynamotest.New(t)
		return dynamo.NewCatalog(db.Client, db.Tables["catalog"])
	})
}

// fakeAPI is a function-typed dynamo.API for the error paths dynalite
// cannot produce.
type fakeAPI struct {
	dynamo.API // nil: a call the test did not expect panics
	getItem    func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	batchWrite func(*dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error)
	query      func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error)
}

func (f fakeAPI) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return f.getItem(in)
}

func (f fakeAPI) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return f.batchWrite(in)
}

func (f fakeAPI) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return f.query(in)
}

func movies(n int) []catalog.Work {
	out := make([]catalog.Work, n)
	for i := range out {
		out[i] = catalog.Work{ID: fmt.Sprintf("movie-%03d", i), Kind: catalog.Movie, Title: fmt.Sprintf("Film %d", i)}
	}
	return out
}

func TestPutWorksChunksAndRetriesUnprocessed(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var calls []int
	written := map[string]bool{}
	api := fakeAPI{batchWrite: func(in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error) {
		mu.Lock()
		defer mu.Unlock()
		reqs := in.RequestItems["t"]
		calls = append(calls, len(reqs))
		// Throttle: leave the last two items of every first attempt unprocessed.
		keep, rest := reqs, []types.WriteRequest(nil)
		if len(reqs) > 2 && len(calls)%2 == 1 {
			keep, rest = reqs[:len(reqs)-2], reqs[len(reqs)-2:]
		}
		for _, r := range keep {
			pk := r.PutRequest.Item["pk"].(*types.AttributeValueMemberS).Value
			sk := r.PutRequest.Item["sk"].(*types.AttributeValueMemberS).Value
			written[pk+" "+sk] = true
		}
		out := &dynamodb.BatchWriteItemOutput{}
		if len(rest) > 0 {
			out.UnprocessedItems = map[string][]types.WriteRequest{"t": rest}
		}
		return out, nil
	}}
	c := dynamo.NewCatalog(api, "t")
	dynamo.SetCatalogPaging(c, 0, 3, func(int) time.Duration { return 0 })
	// 20 movies × (WORK + TITLE) = 40 items: chunks of 25 and 15.
	if err := c.PutWorks(context.Background(), movies(20)); err != nil {
		t.Fatal(err)
	}
	if want := []int{25, 2, 15, 2}; fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Fatalf("BatchWriteItem sizes = %v, want %v", calls, want)
	}
	if len(written) != 40 || !written["TITLE#film 19 MOVIE#movie-019"] {
		t.Fatalf("written %d items", len(written))
	}
}

func TestPutWorksGivesUpOnPersistentThrottling(t *testing.T) {
	t.Parallel()
	attempts := 0
	api := fakeAPI{batchWrite: func(in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error) {
		attempts++
		return &dynamodb.BatchWriteItemOutput{UnprocessedItems: in.RequestItems}, nil
	}}
	c := dynamo.NewCatalog(api, "t")
	dynamo.SetCatalogPaging(c, 0, 4, func(int) time.Duration { return 0 })
	err := c.PutWorks(context.Background(), movies(1))
	if err == nil || !strings.Contains(err.Error(), "still unprocessed after 4 attempts") || attempts != 4 {
		t.Fatalf("err = %v after %d attempts", err, attempts)
	}
}

func TestPutWorksStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	api := fakeAPI{batchWrite: func(in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error) {
		cancel() // the backoff wait must notice
		return &dynamodb.BatchWriteItemOutput{UnprocessedItems: in.RequestItems}, nil
	}}
	c := dynamo.NewCatalog(api, "t")
	dynamo.SetCatalogPaging(c, 0, 8, func(int) time.Duration { return time.Hour })
	if err := c.PutWorks(ctx, movies(1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestCatalogWrapsAPIErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("ProvisionedThroughputExceededException")
	api := fakeAPI{
		getItem:    func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return nil, boom },
		batchWrite: func(*dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error) { return nil, boom },
		query:      func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error) { return nil, boom },
	}
	c := dynamo.NewCatalog(api, "t")
	ctx := context.Background()
	_, getErr := c.GetWork(ctx, "movie-1")
	_, titleErr := c.FindByTitle(ctx, "Film")
	_, chanErr := c.FindChannel(ctx, catalog.ChannelRef{Number: "206"})
	putErr := c.PutWorks(ctx, movies(1))
	for name, err := range map[string]error{"GetWork": getErr, "FindByTitle": titleErr, "FindChannel": chanErr, "PutWorks": putErr} {
		if !errors.Is(err, boom) || errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("%s err = %v, want wrapped API error", name, err)
		}
	}
}

func TestGetWorkEmptyItemIsNotFound(t *testing.T) {
	t.Parallel()
	api := fakeAPI{getItem: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		return &dynamodb.GetItemOutput{}, nil
	}}
	w, err := dynamo.NewCatalog(api, "t").GetWork(context.Background(), "movie-1")
	if !errors.Is(err, catalog.ErrNotFound) || w.ID != "" {
		t.Fatalf("GetWork = %+v, %v; want ErrNotFound", w, err)
	}
}

func TestQueryFollowsLastEvaluatedKey(t *testing.T) {
	t.Parallel()
	item := func(id string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"id": &types.AttributeValueMemberS{Value: id}, "kind": &types.AttributeValueMemberS{Value: "MOVIE"},
			"title": &types.AttributeValueMemberS{Value: "Same"},
		}
	}
	pages := 0
	api := fakeAPI{query: func(in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
		pages++
		// An empty page with a LastEvaluatedKey is legal (filtered or sized out).
		switch pages {
		case 1:
			return &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{item("movie-a")}, LastEvaluatedKey: item("movie-a")}, nil
		case 2:
			if in.ExclusiveStartKey == nil {
				t.Error("second page without ExclusiveStartKey")
			}
			return &dynamodb.QueryOutput{LastEvaluatedKey: item("movie-a")}, nil
		default:
			return &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{item("movie-b")}}, nil
		}
	}}
	got, err := dynamo.NewCatalog(api, "t").FindByTitle(context.Background(), "same")
	if err != nil || len(got) != 2 || got[1].ID != "movie-b" || pages != 3 {
		t.Fatalf("FindByTitle = %+v, %v after %d pages", got, err, pages)
	}
}

func TestDecodeRejectsWrongAttributeTypes(t *testing.T) {
	t.Parallel()
	api := fakeAPI{getItem: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		return &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{
			"id": &types.AttributeValueMemberS{Value: "movie-1"}, "rank": &types.AttributeValueMemberS{Value: "one"},
		}}, nil
	}}
	if _, err := dynamo.NewCatalog(api, "t").GetWork(context.Background(), "movie-1"); err == nil || !strings.Contains(err.Error(), "rank") {
		t.Fatalf("err = %v, want a decode error naming rank", err)
	}
}

// batchGetAPI adds BatchGetItem to fakeAPI.
type batchGetAPI struct {
	fakeAPI
	batchGet func(*dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error)
}

func (f batchGetAPI) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return f.batchGet(in)
}

// DeleteWorks reads the stored works in BatchGetItems of at most 100 keys,
// retries unprocessed keys, and deletes every lookup item they had; with
// only GetItem it reads them one by one.
func TestDeleteWorksReadsStoredVersions(t *testing.T) {
	t.Parallel()
	stored := map[string]map[string]types.AttributeValue{}
	for _, w := range movies(150) {
		item := map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "WORK#" + w.ID}, "sk": &types.AttributeValueMemberS{Value: "WORK"},
			"id": &types.AttributeValueMemberS{Value: w.ID}, "kind": &types.AttributeValueMemberS{Value: "MOVIE"},
			"title": &types.AttributeValueMemberS{Value: w.Title},
		}
		stored["WORK#"+w.ID] = item
	}
	var mu sync.Mutex
	deleted := map[string]bool{}
	base := fakeAPI{
		batchWrite: func(in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error) {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range in.RequestItems["t"] {
				k := r.DeleteRequest.Key
				deleted[k["pk"].(*types.AttributeValueMemberS).Value+" "+k["sk"].(*types.AttributeValueMemberS).Value] = true
			}
			return &dynamodb.BatchWriteItemOutput{}, nil
		},
		getItem: func(in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
			return &dynamodb.GetItemOutput{Item: stored[in.Key["pk"].(*types.AttributeValueMemberS).Value]}, nil
		},
	}
	var sizes []int
	withBatch := batchGetAPI{fakeAPI: base, batchGet: func(in *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error) {
		keys := in.RequestItems["t"].Keys
		sizes = append(sizes, len(keys))
		out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
		if len(sizes) == 1 { // throttled: the last 10 keys come back unprocessed
			out.UnprocessedKeys = map[string]types.KeysAndAttributes{"t": {Keys: keys[len(keys)-10:]}}
			keys = keys[:len(keys)-10]
		}
		for _, k := range keys {
			if item := stored[k["pk"].(*types.AttributeValueMemberS).Value]; item != nil {
				out.Responses["t"] = append(out.Responses["t"], item)
			}
		}
		return out, nil
	}}
	ids := []string{"movie-000", "movie-000", "no-such-movie"}
	for _, w := range movies(150)[1:] {
		ids = append(ids, w.ID)
	}
	for _, api := range []dynamo.API{withBatch, base} {
		clear(deleted)
		c := dynamo.NewCatalog(api, "t")
		dynamo.SetCatalogPaging(c, 0, 3, func(int) time.Duration { return 0 })
		if err := c.DeleteWorks(context.Background(), ids); err != nil {
			t.Fatal(err)
		}
		if len(deleted) != 300 || !deleted["WORK#movie-149 WORK"] || !deleted["TITLE#film 149 MOVIE#movie-149"] || !deleted["TITLE#film 0 MOVIE#movie-000"] {
			t.Fatalf("%T: deleted %d items", api, len(deleted))
		}
	}
	if fmt.Sprint(sizes) != "[99 10 52]" {
		t.Fatalf("BatchGetItem sizes %v", sizes)
	}
}
