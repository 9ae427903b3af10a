package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"livingroom/internal/device"
)

// States implements device.StateStore on the accounts table: one item per
// device, ACCOUNT#<id>/STATE#<endpointId>, replaced by each report.
type States struct {
	api   API
	table string
}

// NewStates returns the state store on the table named table.
func NewStates(api API, table string) *States { return &States{api: api, table: table} }

const statePrefix = "STATE#"

// stateItem is the stored form of device.State.
type stateItem struct {
	PK             string               `dynamodbav:"pk"`
	SK             string               `dynamodbav:"sk"`
	RegistrationID string               `dynamodbav:"registrationId,omitempty"`
	Power          string               `dynamodbav:"power"`
	Playback       string               `dynamodbav:"playbackState"`
	Content        *stateContent        `dynamodbav:"content,omitempty"`
	PositionMs     int64                `dynamodbav:"positionMs"`
	DurationMs     int64                `dynamodbav:"durationMs"`
	Channel        *device.StateChannel `dynamodbav:"channel,omitempty"`
	Screen         string               `dynamodbav:"screen,omitempty"`
	LastActionID   string               `dynamodbav:"lastActionId,omitempty"`
	ReportedAt     time.Time            `dynamodbav:"reportedAt"`
	ReceivedAt     time.Time            `dynamodbav:"receivedAt"`
	Sound          *device.StateSound   `dynamodbav:"sound,omitempty"`
	Input          string               `dynamodbav:"input,omitempty"`
}

type stateContent = device.StateContent

// PutState implements device.StateStore.
func (s *States) PutState(ctx context.Context, accountID, endpointID string, st device.State) (*device.State, error) {
	item, err := attributevalue.MarshalMap(stateItem{
		PK: accountPrefix + accountID, SK: statePrefix + endpointID,
		RegistrationID: st.RegistrationID, Power: st.Power, Playback: st.Playback, Content: st.Content,
		PositionMs: st.PositionMs, DurationMs: st.DurationMs, Channel: st.Channel, Screen: st.Screen,
		LastActionID: st.LastActionID, ReportedAt: st.ReportedAt.UTC(), ReceivedAt: st.ReceivedAt.UTC(),
		Sound: st.Sound, Input: st.Input,
	})
	if err != nil {
		return nil, fmt.Errorf("encode state of %s: %w", endpointID, err)
	}
	out, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item, ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		return nil, fmt.Errorf("put state of %s: %w", endpointID, err)
	}
	if len(out.Attributes) == 0 {
		return nil, nil
	}
	prev, err := stateFromItem(out.Attributes)
	if err != nil {
		return nil, fmt.Errorf("previous state of %s: %w", endpointID, err)
	}
	return &prev, nil
}

// GetState implements device.StateStore.
func (s *States) GetState(ctx context.Context, accountID, endpointID string) (device.State, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(accountPrefix+accountID, statePrefix+endpointID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return device.State{}, fmt.Errorf("get state of %s: %w", endpointID, err)
	}
	if len(out.Item) == 0 {
		return device.State{}, fmt.Errorf("get state of %s: %w", endpointID, device.ErrNoState)
	}
	st, err := stateFromItem(out.Item)
	if err != nil {
		return device.State{}, fmt.Errorf("get state of %s: %w", endpointID, err)
	}
	return st, nil
}

func stateFromItem(item map[string]types.AttributeValue) (device.State, error) {
	var it stateItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return device.State{}, fmt.Errorf("decode state: %w", err)
	}
	return device.State{
		RegistrationID: it.RegistrationID, Power: it.Power, Playback: it.Playback, Content: it.Content,
		PositionMs: it.PositionMs, DurationMs: it.DurationMs, Channel: it.Channel, Screen: it.Screen,
		LastActionID: it.LastActionID, ReportedAt: it.ReportedAt, ReceivedAt: it.ReceivedAt,
		Sound: it.Sound, Input: it.Input,
	}, nil
}
