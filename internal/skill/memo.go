package skill

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"livingroom/internal/action"
	"livingroom/internal/device"
	"livingroom/internal/viewing"
)

// memo holds what one directive already read, so its steps do not read the
// same item twice, its claim, and the names of its sends: every DynamoDB
// round trip saved is latency saved.
type memo struct {
	mu     sync.Mutex
	states map[[2]string]*stateRead
	claim  *claimRun // nil when the directive needs no claim
	key    string    // the directive's replay key, naming its sends
	sends  int       // sends named so far
}

// actionID names the directive's next send: every copy of a directive makes
// the same sends in the same order, so copies name them alike and device
// messaging delivers each once.
func (m *memo) actionID() string {
	m.mu.Lock()
	n := m.sends
	m.sends++
	m.mu.Unlock()
	sum := sha256.Sum256([]byte(m.key + "/" + strconv.Itoa(n)))
	return "lr-" + hex.EncodeToString(sum[:16])
}

// claimLost reports, without waiting, whether the claim was already lost.
func (m *memo) claimLost() bool {
	select {
	case <-m.claim.done:
		return !m.claim.claimed
	default:
		return false
	}
}

// claimRun is the directive's idempotency claim. The send to the TV goes
// out before it (named by the directive, see gatedDevices); nothing else
// that changes anything (a recording, a grant) happens before it has been
// won.
type claimRun struct {
	// begin is closed when the claim may start: once the directive's send
	// to the TV is out, before any other side effect, or when the
	// directive is done. The TV's command goes first; the claim's DynamoDB
	// write would only take the two cores from it.
	begin     chan struct{}
	beginOnce sync.Once
	done      chan struct{}
	claimed   bool
	stored    []byte // the first copy's reply, when this is a replay
	err       error
}

func newClaimRun() *claimRun {
	return &claimRun{begin: make(chan struct{}), done: make(chan struct{})}
}

// start lets the claim begin (once).
func (c *claimRun) start() { c.beginOnce.Do(func() { close(c.begin) }) }

// errNotClaimed stops a side effect of a directive whose claim was lost or
// failed; the handler then answers from the claim's outcome instead.
var errNotClaimed = errors.New("directive not claimed")

// awaitClaim blocks a side effect until the directive's claim is decided.
func awaitClaim(ctx context.Context) error {
	m, _ := ctx.Value(memoKey{}).(*memo)
	if m == nil || m.claim == nil {
		return nil
	}
	m.claim.start()
	select {
	case <-m.claim.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if !m.claim.claimed {
		return errNotClaimed
	}
	return nil
}

type stateRead struct {
	done chan struct{}
	st   device.State
	err  error
}

type memoKey struct{}

func withMemo(ctx context.Context, claim *claimRun, key string) context.Context {
	return context.WithValue(ctx, memoKey{}, &memo{states: map[[2]string]*stateRead{}, claim: claim, key: key})
}

// The gated* types hold every side effect until the claim is won, but a
// send to the TV: it goes out at once, named by the directive (actionID),
// so that a copy's send is dropped by device messaging's idempotency key
// and the TV acts once. Only a claim already known to be lost stops it.

type gatedDevices struct{ Devices }

func (d gatedDevices) Send(ctx context.Context, dev device.Device, a action.Action) (action.Action, error) {
	m, _ := ctx.Value(memoKey{}).(*memo)
	if m == nil || m.claim == nil {
		return d.Devices.Send(ctx, dev, a)
	}
	if m.claimLost() {
		return action.Action{}, fmt.Errorf("send %s: %w", a.Type, errNotClaimed)
	}
	if a.ID == "" {
		a.ID = m.actionID()
	}
	defer m.claim.start()
	return d.Devices.Send(ctx, dev, a)
}

type gatedViewing struct{ Viewing }

func (v gatedViewing) AddRecording(ctx context.Context, accountID string, r viewing.Recording) error {
	if err := awaitClaim(ctx); err != nil {
		return fmt.Errorf("add recording: %w", err)
	}
	return v.Viewing.AddRecording(ctx, accountID, r)
}

func (v gatedViewing) DeleteRecording(ctx context.Context, accountID, id string) error {
	if err := awaitClaim(ctx); err != nil {
		return fmt.Errorf("delete recording: %w", err)
	}
	return v.Viewing.DeleteRecording(ctx, accountID, id)
}

type gatedGrants struct{ Grants }

func (g gatedGrants) AcceptGrant(ctx context.Context, accountID, code string) error {
	if err := awaitClaim(ctx); err != nil {
		return fmt.Errorf("accept grant: %w", err)
	}
	return g.Grants.AcceptGrant(ctx, accountID, code)
}

// startState begins reading a device's state, once per directive.
func (h *Handler) startState(ctx context.Context, accountID, endpointID string) *stateRead {
	m, _ := ctx.Value(memoKey{}).(*memo)
	if m == nil {
		r := &stateRead{done: make(chan struct{})}
		r.st, r.err = h.cfg.Devices.State(ctx, accountID, endpointID)
		close(r.done)
		return r
	}
	k := [2]string{accountID, endpointID}
	m.mu.Lock()
	r, ok := m.states[k]
	if !ok {
		r = &stateRead{done: make(chan struct{})}
		m.states[k] = r
	}
	m.mu.Unlock()
	if !ok {
		go func() {
			r.st, r.err = h.cfg.Devices.State(ctx, accountID, endpointID)
			close(r.done)
		}()
	}
	return r
}

// knownState returns the state read with the device, when it was.
func (h *Handler) knownState(ctx context.Context, accountID, endpointID string) (*stateRead, bool) {
	m, _ := ctx.Value(memoKey{}).(*memo)
	if m == nil {
		return nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.states[[2]string{accountID, endpointID}]
	if !ok {
		return nil, false
	}
	select {
	case <-r.done:
		return r, true
	default:
		return nil, false
	}
}

// keepState remembers a state read with the device (nil: none reported),
// so state() does not read it again.
func (h *Handler) keepState(ctx context.Context, accountID, endpointID string, st *device.State) {
	m, _ := ctx.Value(memoKey{}).(*memo)
	if m == nil {
		return
	}
	r := &stateRead{done: make(chan struct{})}
	if st != nil {
		r.st = *st
	} else {
		r.err = fmt.Errorf("state of %s: %w", endpointID, device.ErrNoState)
	}
	close(r.done)
	m.mu.Lock()
	m.states[[2]string{accountID, endpointID}] = r
	m.mu.Unlock()
}

// state returns a device's last reported state, read once per directive.
func (h *Handler) state(ctx context.Context, accountID, endpointID string) (device.State, error) {
	r := h.startState(ctx, accountID, endpointID)
	select {
	case <-r.done:
		return r.st, r.err
	case <-ctx.Done():
		return device.State{}, ctx.Err()
	}
}
