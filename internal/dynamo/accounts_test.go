package dynamo_test

import (
	"testing"

	"livingroom/internal/account"
	"livingroom/internal/account/accounttest"
	"livingroom/internal/alexaevents"
	"livingroom/internal/alexaevents/alexaeventstest"
	"livingroom/internal/device"
	"livingroom/internal/device/devicetest"
	"livingroom/internal/dynamo"
	"livingroom/internal/dynamotest"
	"livingroom/internal/idempotency"
	"livingroom/internal/idempotency/idempotencytest"
	"livingroom/internal/viewing"
	"livingroom/internal/viewing/viewingtest"
)

func TestAccountsStoreContract(t *testing.T) {
	accounttest.RunStoreSuite(t, func(t *testing.T) account.Store {
		db := dynamotest.New(t)
		return dynamo.NewAccounts(db.Client, db.Tables["accounts"])
	})
}

func TestDeviceStoreContract(t *testing.T) {
	devicetest.RunStoreSuite(t, func(t *testing.T) device.Store {
		db := dynamotest.New(t)
		return dynamo.NewAccounts(db.Client, db.Tables["accounts"])
	})
}

func TestRepliesStoreContract(t *testing.T) {
	idempotencytest.RunStoreSuite(t, func(t *testing.T) idempotency.Store {
		db := dynamotest.New(t)
		return dynamo.NewReplies(db.Client, db.Tables["accounts"])
	})
}

func TestStateStoreContract(t *testing.T) {
	devicetest.RunStateStoreSuite(t, func(t *testing.T) device.StateStore {
		db := dynamotest.New(t)
		return dynamo.NewStates(db.Client, db.Tables["accounts"])
	})
}

func TestViewingStoreContract(t *testing.T) {
	viewingtest.RunStoreSuite(t, func(t *testing.T) viewing.Store {
		db := dynamotest.New(t)
		return dynamo.NewViewing(db.Client, db.Tables["accounts"])
	})
}

func TestGatewayTokensContract(t *testing.T) {
	alexaeventstest.RunStoreSuite(t, func(t *testing.T) alexaevents.TokenStore {
		db := dynamotest.New(t)
		return dynamo.NewGatewayTokens(db.Client, db.Tables["accounts"])
	})
}

func TestFindWithStateContract(t *testing.T) {
	devicetest.RunFindWithStateSuite(t, func(t *testing.T) (device.Store, device.StateStore) {
		db := dynamotest.New(t)
		return dynamo.NewAccounts(db.Client, db.Tables["accounts"]), dynamo.NewStates(db.Client, db.Tables["accounts"])
	})
}
