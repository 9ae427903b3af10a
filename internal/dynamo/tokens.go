package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"livingroom/internal/alexaevents"
)

// GatewayTokens implements alexaevents.TokenStore on the accounts table:
// ACCOUNT#<id>/EVENT_TOKENS.
type GatewayTokens struct {
	api   API
	table string
}

// NewGatewayTokens returns the token store on the table named table.
func NewGatewayTokens(api API, table string) *GatewayTokens {
	return &GatewayTokens{api: api, table: table}
}

const skEventTokens = "EVENT_TOKENS"

type tokensItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	Access    string    `dynamodbav:"accessToken"`
	Refresh   string    `dynamodbav:"refreshToken"`
	ExpiresAt time.Time `dynamodbav:"accessExpiresAt"`
}

// PutTokens implements alexaevents.TokenStore.
func (g *GatewayTokens) PutTokens(ctx context.Context, accountID string, t alexaevents.Tokens) error {
	item, err := attributevalue.MarshalMap(tokensItem{PK: accountPrefix + accountID, SK: skEventTokens, Access: t.Access, Refresh: t.Refresh, ExpiresAt: t.ExpiresAt.UTC()})
	if err != nil {
		return fmt.Errorf("encode event tokens: %w", err)
	}
	if _, err := g.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(g.table), Item: item}); err != nil {
		return fmt.Errorf("put event tokens of %s: %w", accountID, err)
	}
	return nil
}

// GetTokens implements alexaevents.TokenStore.
func (g *GatewayTokens) GetTokens(ctx context.Context, accountID string) (alexaevents.Tokens, error) {
	out, err := g.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(g.table), Key: key(accountPrefix+accountID, skEventTokens), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return alexaevents.Tokens{}, fmt.Errorf("get event tokens of %s: %w", accountID, err)
	}
	if len(out.Item) == 0 {
		return alexaevents.Tokens{}, fmt.Errorf("event tokens of %s: %w", accountID, alexaevents.ErrNoTokens)
	}
	var it tokensItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return alexaevents.Tokens{}, fmt.Errorf("decode event tokens: %w", err)
	}
	return alexaevents.Tokens{Access: it.Access, Refresh: it.Refresh, ExpiresAt: it.ExpiresAt}, nil
}

// DeleteTokens implements alexaevents.TokenStore.
func (g *GatewayTokens) DeleteTokens(ctx context.Context, accountID string) error {
	if _, err := g.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(g.table), Key: key(accountPrefix+accountID, skEventTokens)}); err != nil {
		return fmt.Errorf("delete event tokens of %s: %w", accountID, err)
	}
	return nil
}
