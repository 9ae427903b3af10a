package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// MaxDevicesPerProcess keeps a process under the box's 20,000 open files:
// one socket per device plus the senders' connections and the binary's own.
const MaxDevicesPerProcess = 19_000

// PoolConfig says how devices connect.
type PoolConfig struct {
	// SourceFirst and Sources spread connections over the loopback source
	// addresses 127.0.0.<SourceFirst>…, past one address's ~28k ephemeral
	// ports. Processes of one run use disjoint ranges.
	SourceFirst, Sources int
	// Reconnect makes a device whose connection ended dial again (after a
	// short random pause), presenting its registration, as a TV does.
	Reconnect bool
}

// Pool is a set of simulated devices, each with one websocket.
type Pool struct {
	dev     Device
	cfg     PoolConfig
	dialers []*websocket.Dialer
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu    sync.Mutex
	conns map[int]*websocket.Conn

	connected, failed, dropped, reconnects atomic.Int64
	lastErr                                atomic.Value // string

	seen          seqSet
	unique, dupes atomic.Uint64
	win           atomic.Pointer[window]
}

// window collects the latencies of messages sent within [from, to) (unix ns).
type window struct {
	from int64
	to   atomic.Int64
	hist Histogram
}

// NewPool returns an empty pool of dev's devices.
func NewPool(dev Device, cfg PoolConfig) *Pool {
	cfg.SourceFirst, cfg.Sources = max(cfg.SourceFirst, 2), max(cfg.Sources, 1)
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{dev: dev, cfg: cfg, ctx: ctx, cancel: cancel, conns: make(map[int]*websocket.Conn)}
	for i := range cfg.Sources {
		k := cfg.SourceFirst + i
		ip := net.IPv4(127, 0, byte(k/250), byte(k%250))
		nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
		p.dialers = append(p.dialers, &websocket.Dialer{
			NetDialContext:   nd.DialContext,
			HandshakeTimeout: 15 * time.Second,
			ReadBufferSize:   1024,
			WriteBufferSize:  512,
		})
	}
	return p
}

// Counts is a snapshot of the pool's counters.
type Counts struct {
	Connected  int64  `json:"connected"`
	Failed     int64  `json:"failedDials"`
	Dropped    int64  `json:"dropped"`
	Reconnects int64  `json:"reconnects"`
	Delivered  uint64 `json:"delivered"`
	Duplicates uint64 `json:"duplicates"`
	LastError  string `json:"lastError,omitempty"`
}

// Counts returns the pool's counters now.
func (p *Pool) Counts() Counts {
	le, _ := p.lastErr.Load().(string)
	return Counts{
		Connected: p.connected.Load(), Failed: p.failed.Load(), Dropped: p.dropped.Load(),
		Reconnects: p.reconnects.Load(), Delivered: p.unique.Load(), Duplicates: p.dupes.Load(), LastError: le,
	}
}

// Connect connects devices from..to-1, conc dials at a time, and returns
// once each has connected or failed, or ctx ended. progress, if not nil, is
// called after each attempt.
func (p *Pool) Connect(ctx context.Context, from, to, conc int, progress func()) error {
	ids := make(chan int)
	var wg sync.WaitGroup
	for range max(conc, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range ids {
				c, rest, err := p.dev.Connect(ctx, p.dialers[n%len(p.dialers)], n)
				if err != nil {
					p.failed.Add(1)
					p.lastErr.Store(err.Error())
				} else {
					p.start(n, c, rest)
				}
				if progress != nil {
					progress()
				}
			}
		}()
	}
feed:
	for n := from; n < to; n++ {
		select {
		case ids <- n:
		case <-ctx.Done():
			break feed
		}
	}
	close(ids)
	wg.Wait()
	if ctx.Err() != nil {
		return fmt.Errorf("connect: %w", ctx.Err())
	}
	return nil
}

func (p *Pool) start(n int, c *websocket.Conn, rest []byte) {
	p.mu.Lock()
	p.conns[n] = c
	p.mu.Unlock()
	p.connected.Add(1) // counted before Connect returns
	p.wg.Add(1)
	go p.serve(n, c, rest)
}

// serve runs device n: it reads until the connection ends, then reconnects
// when the pool does so.
func (p *Pool) serve(n int, c *websocket.Conn, rest []byte) {
	defer p.wg.Done()
	for {
		p.read(n, c, rest)
		p.connected.Add(-1)
		p.mu.Lock()
		if p.conns[n] == c {
			delete(p.conns, n)
		}
		p.mu.Unlock()
		c.Close()
		if !p.cfg.Reconnect || p.ctx.Err() != nil {
			if p.ctx.Err() == nil {
				p.dropped.Add(1)
			}
			return
		}
		p.reconnects.Add(1)
		for {
			pause := time.Duration(50+rand.IntN(450)) * time.Millisecond
			select {
			case <-p.ctx.Done():
				return
			case <-time.After(pause):
			}
			var err error
			if c, rest, err = p.dev.Connect(p.ctx, p.dialers[n%len(p.dialers)], n); err == nil {
				p.mu.Lock()
				p.conns[n] = c
				p.mu.Unlock()
				p.connected.Add(1)
				break
			}
			p.failed.Add(1)
			p.lastErr.Store(err.Error())
		}
	}
}

func (p *Pool) read(n int, c *websocket.Conn, first []byte) {
	reply := func(b []byte) error { return c.WriteMessage(websocket.TextMessage, b) }
	msg := first
	for {
		if len(msg) > 0 {
			if err := p.dev.Handle(n, msg, p.deliver, reply); err != nil {
				p.lastErr.Store(fmt.Sprintf("device %d: %v", n, err))
				return
			}
		}
		var err error
		if _, msg, err = c.ReadMessage(); err != nil {
			return
		}
	}
}

func (p *Pool) deliver(d Delivery) {
	now := time.Now().UnixNano()
	if !p.seen.add(d.Seq) {
		p.dupes.Add(1)
		return
	}
	p.unique.Add(1)
	if w := p.win.Load(); w != nil && d.SentAt >= w.from && d.SentAt < w.to.Load() {
		w.hist.Add(time.Duration(now - d.SentAt))
	}
}

// Delivered reports whether message seq reached its device.
func (p *Pool) Delivered(seq uint64) bool { return p.seen.has(seq) }

// Disrupt closes k random connected devices' sockets from the device side,
// as a TV losing its network does; with Reconnect they come back.
func (p *Pool) Disrupt(k int) int {
	p.mu.Lock()
	victims := make([]*websocket.Conn, 0, k)
	for _, c := range p.conns { // map order is random enough
		if len(victims) == k {
			break
		}
		victims = append(victims, c)
	}
	p.mu.Unlock()
	for _, c := range victims {
		c.Close()
	}
	return len(victims)
}

// Close disconnects every device and waits (at most 10 s) for them.
func (p *Pool) Close() {
	p.cancel()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}
