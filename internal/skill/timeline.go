package skill

import (
	"context"
	"sync"
	"time"

	"livingroom/internal/account"
	"livingroom/internal/action"
	"livingroom/internal/catalog"
	"livingroom/internal/device"
	"livingroom/internal/viewing"
)

// Span is one timed step of a directive: a store read, a send to the TV.
type Span struct {
	Name   string
	Start  time.Time
	End    time.Time
	Failed bool
}

// MaxSpans bounds a timeline; steps past it are not recorded.
const MaxSpans = 32

// Timeline collects the spans of one directive, so that a slow command can
// be taken apart hop by hop. It is safe for concurrent steps.
type Timeline struct {
	mu    sync.Mutex
	spans []Span
}

// Spans returns a copy of what was recorded, in the order steps ended.
func (t *Timeline) Spans() []Span {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Span(nil), t.spans...)
}

func (t *Timeline) add(s Span) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.spans) < MaxSpans {
		t.spans = append(t.spans, s)
	}
}

type timelineKey struct{}

// WithTimeline returns ctx under which the handler records its steps in t.
func WithTimeline(ctx context.Context, t *Timeline) context.Context {
	return context.WithValue(ctx, timelineKey{}, t)
}

// timer starts a span; the returned function ends it. Without a timeline
// in ctx it costs one context lookup.
type timer struct{ now func() time.Time }

func (c timer) start(ctx context.Context, name string) func(error) {
	t, _ := ctx.Value(timelineKey{}).(*Timeline)
	if t == nil {
		return func(error) {}
	}
	began := c.now()
	return func(err error) { t.add(Span{Name: name, Start: began, End: c.now(), Failed: err != nil}) }
}

// The timed* types wrap the handler's dependencies, so every store read and
// every send shows in the timeline without the routes knowing.

type timedAccounts struct {
	Accounts
	timer
}

func (a timedAccounts) Authenticate(ctx context.Context, token string) (account.Account, error) {
	end := a.start(ctx, "authenticate")
	acct, err := a.Accounts.Authenticate(ctx, token)
	end(err)
	return acct, err
}

func (a timedAccounts) Get(ctx context.Context, id string) (account.Account, error) {
	end := a.start(ctx, "account read")
	acct, err := a.Accounts.Get(ctx, id)
	end(err)
	return acct, err
}

type timedDevices struct {
	Devices
	timer
}

func (d timedDevices) Find(ctx context.Context, accountID, endpointID string) (device.Device, error) {
	end := d.start(ctx, "device read")
	dev, err := d.Devices.Find(ctx, accountID, endpointID)
	end(err)
	return dev, err
}

func (d timedDevices) FindWithState(ctx context.Context, accountID, endpointID string) (device.Device, *device.State, error) {
	end := d.start(ctx, "device and state read")
	dev, st, err := d.Devices.FindWithState(ctx, accountID, endpointID)
	end(err)
	return dev, st, err
}

func (d timedDevices) FindByRegistration(ctx context.Context, registrationID string) (device.Device, error) {
	end := d.start(ctx, "device read by registration")
	dev, err := d.Devices.FindByRegistration(ctx, registrationID)
	end(err)
	return dev, err
}

func (d timedDevices) List(ctx context.Context, accountID string) ([]device.Device, error) {
	end := d.start(ctx, "device list")
	devs, err := d.Devices.List(ctx, accountID)
	end(err)
	return devs, err
}

func (d timedDevices) State(ctx context.Context, accountID, endpointID string) (device.State, error) {
	end := d.start(ctx, "state read")
	st, err := d.Devices.State(ctx, accountID, endpointID)
	end(err)
	return st, err
}

func (d timedDevices) Send(ctx context.Context, dev device.Device, a action.Action) (action.Action, error) {
	end := d.start(ctx, "send "+string(a.Type))
	sent, err := d.Devices.Send(ctx, dev, a)
	end(err)
	return sent, err
}

type timedResolver struct {
	Resolver
	timer
}

func (r timedResolver) ResolvePlay(ctx context.Context, q catalog.Query, progress catalog.ProgressFunc) (catalog.Play, error) {
	end := r.start(ctx, "catalog resolve")
	p, err := r.Resolver.ResolvePlay(ctx, q, progress)
	end(err)
	return p, err
}

func (r timedResolver) Search(ctx context.Context, q catalog.SearchQuery, limit int) ([]catalog.Work, error) {
	end := r.start(ctx, "catalog search")
	ws, err := r.Resolver.Search(ctx, q, limit)
	end(err)
	return ws, err
}

func (r timedResolver) Channel(ctx context.Context, q catalog.ChannelQuery) (catalog.Channel, error) {
	end := r.start(ctx, "catalog channel")
	ch, err := r.Resolver.Channel(ctx, q)
	end(err)
	return ch, err
}

type timedViewing struct {
	Viewing
	timer
}

func (v timedViewing) GetProgress(ctx context.Context, accountID, seriesID string) (viewing.Progress, error) {
	end := v.start(ctx, "progress read")
	p, err := v.Viewing.GetProgress(ctx, accountID, seriesID)
	end(err)
	return p, err
}

type timedReplies struct {
	Replies
	timer
}

func (r timedReplies) Claim(ctx context.Context, key string, now, expires time.Time) (bool, []byte, error) {
	end := r.start(ctx, "idempotency claim")
	claimed, reply, err := r.Replies.Claim(ctx, key, now, expires)
	end(err)
	return claimed, reply, err
}

func (r timedReplies) Save(ctx context.Context, key string, reply []byte, expires time.Time) error {
	end := r.start(ctx, "reply save")
	err := r.Replies.Save(ctx, key, reply, expires)
	end(err)
	return err
}
