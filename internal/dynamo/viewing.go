package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"livingroom/internal/viewing"
)

// Viewing implements viewing.Store on the accounts table:
// ACCOUNT#<id>/PROGRESS#<seriesId> and ACCOUNT#<id>/RECORDING#<id>, each a
// GetItem, PutItem or one Query on the account's partition.
type Viewing struct {
	api   API
	table string
}

// NewViewing returns the viewing store on the table named table.
func NewViewing(api API, table string) *Viewing { return &Viewing{api: api, table: table} }

const (
	progressPrefix  = "PROGRESS#"
	recordingPrefix = "RECORDING#"
)

type progressItem struct {
	PK         string    `dynamodbav:"pk"`
	SK         string    `dynamodbav:"sk"`
	SeriesID   string    `dynamodbav:"seriesId"`
	EpisodeID  string    `dynamodbav:"episodeId"`
	Season     int       `dynamodbav:"season"`
	Episode    int       `dynamodbav:"episode"`
	PositionMs int64     `dynamodbav:"positionMs"`
	DurationMs int64     `dynamodbav:"durationMs"`
	UpdatedAt  time.Time `dynamodbav:"updatedAt"`
}

type recordingItem struct {
	PK            string    `dynamodbav:"pk"`
	SK            string    `dynamodbav:"sk"`
	ID            string    `dynamodbav:"id"`
	ContentID     string    `dynamodbav:"contentId,omitempty"`
	Title         string    `dynamodbav:"title"`
	ChannelNumber string    `dynamodbav:"channelNumber,omitempty"`
	CallSign      string    `dynamodbav:"callSign,omitempty"`
	CreatedAt     time.Time `dynamodbav:"createdAt"`
}

// PutProgress implements viewing.Store.
func (v *Viewing) PutProgress(ctx context.Context, accountID string, p viewing.Progress) error {
	item, err := attributevalue.MarshalMap(progressItem{
		PK: accountPrefix + accountID, SK: progressPrefix + p.SeriesID, SeriesID: p.SeriesID, EpisodeID: p.EpisodeID,
		Season: p.Season, Episode: p.Episode, PositionMs: p.PositionMs, DurationMs: p.DurationMs, UpdatedAt: p.UpdatedAt.UTC(),
	})
	if err != nil {
		return fmt.Errorf("encode progress: %w", err)
	}
	if _, err := v.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(v.table), Item: item}); err != nil {
		return fmt.Errorf("put progress in %s: %w", p.SeriesID, err)
	}
	return nil
}

// GetProgress implements viewing.Store.
func (v *Viewing) GetProgress(ctx context.Context, accountID, seriesID string) (viewing.Progress, error) {
	out, err := v.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(v.table), Key: key(accountPrefix+accountID, progressPrefix+seriesID)})
	if err != nil {
		return viewing.Progress{}, fmt.Errorf("get progress in %s: %w", seriesID, err)
	}
	if len(out.Item) == 0 {
		return viewing.Progress{}, fmt.Errorf("progress in %s: %w", seriesID, viewing.ErrNotFound)
	}
	var it progressItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return viewing.Progress{}, fmt.Errorf("decode progress: %w", err)
	}
	return viewing.Progress{SeriesID: it.SeriesID, EpisodeID: it.EpisodeID, Season: it.Season, Episode: it.Episode,
		PositionMs: it.PositionMs, DurationMs: it.DurationMs, UpdatedAt: it.UpdatedAt}, nil
}

// ListProgress implements viewing.Store: one Query on the account's
// partition (PROGRESS# items), at most viewing.MaxListedProgress read,
// sorted here by when each was watched.
func (v *Viewing) ListProgress(ctx context.Context, accountID string, limit int) ([]viewing.Progress, error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(v.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(accountPrefix + accountID), ":sk": str(progressPrefix),
		},
		Limit: aws.Int32(viewing.MaxListedProgress),
	}
	out := []viewing.Progress{}
	p := dynamodb.NewQueryPaginator(v.api, in)
	for p.HasMorePages() && len(out) < viewing.MaxListedProgress {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list progress: %w", err)
		}
		var items []progressItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, fmt.Errorf("decode progress: %w", err)
		}
		for _, it := range items {
			out = append(out, viewing.Progress{SeriesID: it.SeriesID, EpisodeID: it.EpisodeID, Season: it.Season, Episode: it.Episode,
				PositionMs: it.PositionMs, DurationMs: it.DurationMs, UpdatedAt: it.UpdatedAt})
		}
	}
	viewing.SortProgress(out)
	if limit >= 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// AddRecording implements viewing.Store. The duplicate check is a condition
// on the write; the storage limit is checked with a count Query first (a
// race may exceed it by a few, which the next add then refuses).
func (v *Viewing) AddRecording(ctx context.Context, accountID string, r viewing.Recording) error {
	count, err := v.api.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(v.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(accountPrefix + accountID), ":sk": str(recordingPrefix),
		},
		Select: types.SelectCount,
		Limit:  aws.Int32(viewing.MaxRecordings + 1),
	})
	if err != nil {
		return fmt.Errorf("count recordings: %w", err)
	}
	if count.Count >= viewing.MaxRecordings {
		return fmt.Errorf("recording %s: %w", r.ID, viewing.ErrStorageFull)
	}
	item, err := attributevalue.MarshalMap(recordingItem{
		PK: accountPrefix + accountID, SK: recordingPrefix + r.ID, ID: r.ID, ContentID: r.ContentID, Title: r.Title,
		ChannelNumber: r.ChannelNumber, CallSign: r.CallSign, CreatedAt: r.CreatedAt.UTC(),
	})
	if err != nil {
		return fmt.Errorf("encode recording: %w", err)
	}
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrPK))).Build()
	if err != nil {
		return fmt.Errorf("recording condition: %w", err)
	}
	_, err = v.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(v.table), Item: item, ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("recording %s: %w", r.ID, viewing.ErrRecordingExists)
	}
	if err != nil {
		return fmt.Errorf("add recording %s: %w", r.ID, err)
	}
	return nil
}

// DeleteRecording implements viewing.Store.
func (v *Viewing) DeleteRecording(ctx context.Context, accountID, id string) error {
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeExists(expression.Name(attrPK))).Build()
	if err != nil {
		return fmt.Errorf("recording condition: %w", err)
	}
	_, err = v.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(v.table), Key: key(accountPrefix+accountID, recordingPrefix+id),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("recording %s: %w", id, viewing.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete recording %s: %w", id, err)
	}
	return nil
}

// ListRecordings implements viewing.Store: newest first.
func (v *Viewing) ListRecordings(ctx context.Context, accountID string) ([]viewing.Recording, error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(v.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(accountPrefix + accountID), ":sk": str(recordingPrefix),
		},
	}
	out := []viewing.Recording{}
	p := dynamodb.NewQueryPaginator(v.api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list recordings: %w", err)
		}
		var items []recordingItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, fmt.Errorf("decode recordings: %w", err)
		}
		for _, it := range items {
			out = append(out, viewing.Recording{ID: it.ID, ContentID: it.ContentID, Title: it.Title,
				ChannelNumber: it.ChannelNumber, CallSign: it.CallSign, CreatedAt: it.CreatedAt})
		}
	}
	slices.SortFunc(out, func(a, b viewing.Recording) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}
