// Package fleetid names the TVs of a fleet (`tvapp-sim --fleet N`) and the
// accounts they belong to, so that the stack that seeds the accounts and
// the process that runs the TVs agree. TV i (1-based) is device
// fleet-00001, endpoint livingroom-tv-fleet-00001, in account
// fleet-account-00001 with bearer token <prefix>00001; odd TVs are on plan
// live-tv-dvr, even ones on on-demand, so a fleet holds both.
package fleetid

import "fmt"

// DefaultTokenPrefix starts every fleet account's token.
const DefaultTokenPrefix = "fleet-token-"

// MaxSize bounds a fleet (ids have five digits; more needs more processes).
const MaxSize = 99_999

// Plans of fleet accounts, as internal/account spells them.
const (
	PlanOdd  = "live-tv-dvr"
	PlanEven = "on-demand"
)

// TV is one fleet member's identity.
type TV struct {
	Index        int
	DeviceID     string
	AccountID    string
	Token        string
	FriendlyName string
	Plan         string
}

// For returns TV i's identity (1-based).
func For(i int, tokenPrefix string) TV {
	n := fmt.Sprintf("%05d", i)
	plan := PlanOdd
	if i%2 == 0 {
		plan = PlanEven
	}
	return TV{
		Index:        i,
		DeviceID:     "fleet-" + n,
		AccountID:    "fleet-account-" + n,
		Token:        tokenPrefix + n,
		FriendlyName: "Fleet TV " + n,
		Plan:         plan,
	}
}
