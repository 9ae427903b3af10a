package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"livingroom/internal/account"
	"livingroom/internal/device"
)

// Item layout of the accounts table (see internal/tables/accounts.json).
const (
	accountPrefix      = "ACCOUNT#"
	tokenPrefix        = "TOKEN#"
	registrationPrefix = "REGISTRATION#"
	devicePrefix       = "DEVICE#"
	skProfile          = "PROFILE"
	skToken            = "TOKEN"
	skDevice           = "DEVICE"
)

// Accounts implements account.Store and device.Store on the accounts table.
type Accounts struct {
	api   API
	table string
}

// NewAccounts returns the store for the table named table.
func NewAccounts(api API, table string) *Accounts {
	return &Accounts{api: api, table: table}
}

// PutAccount stores an account profile.
func (s *Accounts) PutAccount(ctx context.Context, a account.Account) error {
	item := key(accountPrefix+a.ID, skProfile)
	item["name"] = str(a.Name)
	item["plan"] = str(a.Plan)
	if err := s.put(ctx, item); err != nil {
		return fmt.Errorf("put account %s: %w", a.ID, err)
	}
	return nil
}

// GetAccount loads an account profile.
func (s *Accounts) GetAccount(ctx context.Context, id string) (account.Account, error) {
	item, err := s.get(ctx, accountPrefix+id, skProfile)
	if err != nil {
		return account.Account{}, fmt.Errorf("get account %s: %w", id, err)
	}
	if item == nil {
		return account.Account{}, fmt.Errorf("get account %s: %w", id, account.ErrNotFound)
	}
	return account.Account{ID: id, Name: getS(item, "name"), Plan: getS(item, "plan")}, nil
}

// PutToken stores a token; expiresAt doubles as the table's TTL attribute.
func (s *Accounts) PutToken(ctx context.Context, t account.Token) error {
	item := key(tokenPrefix+t.Value, skToken)
	item["accountId"] = str(t.AccountID)
	item[attrExpiresAt] = &types.AttributeValueMemberN{Value: strconv.FormatInt(t.ExpiresAt.Unix(), 10)}
	if err := s.put(ctx, item); err != nil {
		return fmt.Errorf("put token of account %s: %w", t.AccountID, err)
	}
	return nil
}

// GetToken loads a token. Expiry is the domain's to judge.
func (s *Accounts) GetToken(ctx context.Context, value string) (account.Token, error) {
	item, err := s.get(ctx, tokenPrefix+value, skToken)
	if err != nil {
		return account.Token{}, fmt.Errorf("get token: %w", err)
	}
	if item == nil {
		return account.Token{}, fmt.Errorf("get token: %w", account.ErrNotFound)
	}
	return account.Token{Value: value, AccountID: getS(item, "accountId"), ExpiresAt: time.Unix(getN(item, attrExpiresAt), 0).UTC()}, nil
}

// PutDevice stores a device under its account and indexes its registration
// id. dynalite has no transactions, so the writes are ordered and guarded:
// first the registration id is claimed with a conditional write (it must be
// free or already this account's, else ErrRegistrationTaken and nothing is
// written), then the device item is written, then the registration id the
// device held before is freed if it still points at this device.
// GetByRegistration checks that the device carries the registration id, so
// a claim left behind by a failed device write is harmless.
func (s *Accounts) PutDevice(ctx context.Context, d device.Device) error {
	reg := key(registrationPrefix+d.RegistrationID, skDevice)
	reg["accountId"] = str(d.AccountID)
	reg["endpointId"] = str(d.EndpointID)
	free := expression.Or(expression.AttributeNotExists(expression.Name(attrPK)),
		expression.Name("accountId").Equal(expression.Value(d.AccountID)))
	if err := s.putIf(ctx, reg, free); err != nil {
		if isConditionFailed(err) {
			return fmt.Errorf("put device %s: registration %s: %w", d.EndpointID, d.RegistrationID, device.ErrRegistrationTaken)
		}
		return fmt.Errorf("claim registration of device %s: %w", d.EndpointID, err)
	}
	item := key(accountPrefix+d.AccountID, devicePrefix+d.EndpointID)
	item["endpointId"] = str(d.EndpointID)
	item["registrationId"] = str(d.RegistrationID)
	item["friendlyName"] = str(d.FriendlyName)
	item["registeredAt"] = str(d.RegisteredAt.UTC().Format(time.RFC3339Nano))
	out, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item, ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		return fmt.Errorf("put device %s: %w", d.EndpointID, err)
	}
	if old := getS(out.Attributes, "registrationId"); old != "" && old != d.RegistrationID {
		if err := s.releaseRegistration(ctx, old, d.AccountID, d.EndpointID); err != nil {
			return fmt.Errorf("put device %s: %w", d.EndpointID, err)
		}
	}
	return nil
}

// DeleteDevice removes a device and frees its registration id.
func (s *Accounts) DeleteDevice(ctx context.Context, accountID, endpointID string) error {
	out, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: key(accountPrefix+accountID, devicePrefix+endpointID), ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		return fmt.Errorf("delete device %s: %w", endpointID, err)
	}
	if reg := getS(out.Attributes, "registrationId"); reg != "" {
		if err := s.releaseRegistration(ctx, reg, accountID, endpointID); err != nil {
			return fmt.Errorf("delete device %s: %w", endpointID, err)
		}
	}
	return nil
}

// releaseRegistration deletes a registration index item if it still points
// at the given device; one that moved on is left alone.
func (s *Accounts) releaseRegistration(ctx context.Context, registrationID, accountID, endpointID string) error {
	cond := expression.Name("accountId").Equal(expression.Value(accountID)).
		And(expression.Name("endpointId").Equal(expression.Value(endpointID)))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("release registration: %w", err)
	}
	_, err = s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(registrationPrefix+registrationID, skDevice),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release registration: %w", err)
	}
	return nil
}

// putIf writes item when cond holds.
func (s *Accounts) putIf(ctx context.Context, item map[string]types.AttributeValue, cond expression.ConditionBuilder) error {
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("build condition: %w", err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	return err
}

func isConditionFailed(err error) bool {
	var failed *types.ConditionalCheckFailedException
	return errors.As(err, &failed)
}

// GetDevice loads the device of an account behind an endpoint id.
func (s *Accounts) GetDevice(ctx context.Context, accountID, endpointID string) (device.Device, error) {
	item, err := s.get(ctx, accountPrefix+accountID, devicePrefix+endpointID)
	if err != nil {
		return device.Device{}, fmt.Errorf("get device %s: %w", endpointID, err)
	}
	if item == nil {
		return device.Device{}, fmt.Errorf("get device %s of account %s: %w", endpointID, accountID, device.ErrNotFound)
	}
	return deviceFromItem(accountID, item), nil
}

// GetDeviceWithState loads a device and its last reported state (nil when
// none) in one BatchGetItem: the state items (see States) live in the same
// table and partition, so a directive pays one round trip, not two.
func (s *Accounts) GetDeviceWithState(ctx context.Context, accountID, endpointID string) (device.Device, *device.State, error) {
	pk := accountPrefix + accountID
	deviceKey, stateKey := key(pk, devicePrefix+endpointID), key(pk, statePrefix+endpointID)
	bg, ok := s.api.(batchGetter)
	if !ok {
		return s.deviceThenState(ctx, accountID, endpointID)
	}
	out, err := bg.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		s.table: {Keys: []map[string]types.AttributeValue{deviceKey, stateKey}, ConsistentRead: aws.Bool(true)},
	}})
	if err != nil {
		return device.Device{}, nil, fmt.Errorf("get device %s with state: %w", endpointID, err)
	}
	if len(out.UnprocessedKeys) > 0 {
		// Throttled: read the two items one by one instead of waiting.
		return s.deviceThenState(ctx, accountID, endpointID)
	}
	var devItem, stItem map[string]types.AttributeValue
	for _, item := range out.Responses[s.table] {
		switch getS(item, attrSK) {
		case devicePrefix + endpointID:
			devItem = item
		case statePrefix + endpointID:
			stItem = item
		}
	}
	if devItem == nil {
		return device.Device{}, nil, fmt.Errorf("get device %s of account %s: %w", endpointID, accountID, device.ErrNotFound)
	}
	d := deviceFromItem(accountID, devItem)
	if stItem == nil {
		return d, nil, nil
	}
	st, err := stateFromItem(stItem)
	if err != nil {
		return device.Device{}, nil, fmt.Errorf("state of %s: %w", endpointID, err)
	}
	return d, &st, nil
}

func (s *Accounts) deviceThenState(ctx context.Context, accountID, endpointID string) (device.Device, *device.State, error) {
	d, err := s.GetDevice(ctx, accountID, endpointID)
	if err != nil {
		return device.Device{}, nil, err
	}
	st, err := NewStates(s.api, s.table).GetState(ctx, accountID, endpointID)
	switch {
	case errors.Is(err, device.ErrNoState):
		return d, nil, nil
	case err != nil:
		return device.Device{}, nil, err
	}
	return d, &st, nil
}

// GetByRegistration finds the device that currently holds a registration id.
func (s *Accounts) GetByRegistration(ctx context.Context, registrationID string) (device.Device, error) {
	item, err := s.get(ctx, registrationPrefix+registrationID, skDevice)
	if err != nil {
		return device.Device{}, fmt.Errorf("get registration %s: %w", registrationID, err)
	}
	if item == nil {
		return device.Device{}, fmt.Errorf("get registration %s: %w", registrationID, device.ErrNotFound)
	}
	d, err := s.GetDevice(ctx, getS(item, "accountId"), getS(item, "endpointId"))
	if err != nil {
		return device.Device{}, err
	}
	if d.RegistrationID != registrationID {
		return device.Device{}, fmt.Errorf("get registration %s: device %s moved to another registration: %w", registrationID, d.EndpointID, device.ErrNotFound)
	}
	return d, nil
}

// ListDevices returns every device of an account (one Query on its partition).
func (s *Accounts) ListDevices(ctx context.Context, accountID string) ([]device.Device, error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(accountPrefix + accountID),
			":sk": str(devicePrefix),
		},
	}
	var out []device.Device
	p := dynamodb.NewQueryPaginator(s.api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list devices of %s: %w", accountID, err)
		}
		for _, item := range page.Items {
			out = append(out, deviceFromItem(accountID, item))
		}
	}
	return out, nil
}

func deviceFromItem(accountID string, item map[string]types.AttributeValue) device.Device {
	at, _ := time.Parse(time.RFC3339Nano, getS(item, "registeredAt"))
	return device.Device{
		AccountID:      accountID,
		EndpointID:     getS(item, "endpointId"),
		RegistrationID: getS(item, "registrationId"),
		FriendlyName:   getS(item, "friendlyName"),
		RegisteredAt:   at,
	}
}

func (s *Accounts) put(ctx context.Context, item map[string]types.AttributeValue) error {
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	return err
}

// get returns nil, nil for a missing item; callers turn that into their
// domain's not-found error.
func (s *Accounts) get(ctx context.Context, pk, sk string) (map[string]types.AttributeValue, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func getS(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func getN(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}

// Replies implements idempotency.Store on the accounts table: one item per
// directive key, REPLY#<key>/REPLY, expiring through the table's TTL.
type Replies struct {
	api   API
	table string
}

// NewReplies returns the reply store on the table named table.
func NewReplies(api API, table string) *Replies { return &Replies{api: api, table: table} }

const (
	replyPrefix = "REPLY#"
	skReply     = "REPLY"
)

// Claim implements idempotency.Store with one conditional write; only when
// the key is taken does it read the saved reply.
func (r *Replies) Claim(ctx context.Context, directiveKey string, now, expires time.Time) (bool, []byte, error) {
	item := key(replyPrefix+directiveKey, skReply)
	item[attrExpiresAt] = num(expires.Unix())
	free := expression.Or(expression.AttributeNotExists(expression.Name(attrPK)),
		expression.Name(attrExpiresAt).LessThanEqual(expression.Value(num(now.Unix()))))
	expr, err := expression.NewBuilder().WithCondition(free).Build()
	if err != nil {
		return false, nil, fmt.Errorf("claim directive: %w", err)
	}
	_, err = r.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(r.table), Item: item, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	if err == nil {
		return true, nil, nil
	}
	if !isConditionFailed(err) {
		return false, nil, fmt.Errorf("claim directive: %w", err)
	}
	out, err := r.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.table), Key: key(replyPrefix+directiveKey, skReply), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, nil, fmt.Errorf("read directive reply: %w", err)
	}
	if b, ok := out.Item["reply"].(*types.AttributeValueMemberB); ok {
		return false, b.Value, nil
	}
	return false, nil, nil
}

// Save implements idempotency.Store.
func (r *Replies) Save(ctx context.Context, directiveKey string, reply []byte, expires time.Time) error {
	item := key(replyPrefix+directiveKey, skReply)
	item[attrExpiresAt] = num(expires.Unix())
	item["reply"] = &types.AttributeValueMemberB{Value: reply}
	if _, err := r.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.table), Item: item}); err != nil {
		return fmt.Errorf("save directive reply: %w", err)
	}
	return nil
}

// Release implements idempotency.Store.
func (r *Replies) Release(ctx context.Context, directiveKey string) error {
	if _, err := r.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(r.table), Key: key(replyPrefix+directiveKey, skReply)}); err != nil {
		return fmt.Errorf("release directive: %w", err)
	}
	return nil
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}
