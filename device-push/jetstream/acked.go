package jetstream

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// marksTTL is how long a node remembers a watermark it published: long
// enough for JetStream to have stored it (then Pending reads it there).
const marksTTL = 10 * time.Second

// marks remembers the watermarks this node published recently, so its own
// Pending never misses one JetStream has not stored yet. Two generations,
// swapped every marksTTL, keep it bounded to the devices acking lately.
type marks struct {
	mu        sync.Mutex
	cur, prev map[string]uint64
	swapped   time.Time
	now       func() time.Time
}

func newMarks(now func() time.Time) *marks {
	return &marks{cur: make(map[string]uint64), prev: make(map[string]uint64), swapped: now(), now: now}
}

func (m *marks) note(id string, seq uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now := m.now(); now.Sub(m.swapped) >= marksTTL {
		m.prev = m.cur
		if now.Sub(m.swapped) >= 2*marksTTL {
			clear(m.prev) // older than both generations
		}
		m.cur, m.swapped = make(map[string]uint64, len(m.prev)), now
	}
	m.cur[id] = max(m.cur[id], seq)
}

func (m *marks) get(id string) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return max(m.cur[id], m.prev[id])
}

// Background removal of acked messages. An ack only publishes its device's
// watermark (the message stays hidden from Pending by it); the message is
// then deleted from the stream by one worker at a bounded rate, newest
// first, so that a burst of acks does not take the CPU that sends need (a
// delete is a JetStream API request, ~35 µs of CPU, and several times that
// once the message's block has left the file store's cache). When acks
// outrun the worker, the oldest waiting are given up: they leave the stream
// with their expiry, or when newer messages of their device push them out
// (the per-device limit).
const (
	DefaultDeleteRate = 1000 // acked messages deleted per second, at most
	deleteBacklog     = 4096 // acked messages waiting for the worker, at most
	deleteBurst       = 64
)

type deleter struct {
	del     func(ctx context.Context, seq uint64) error
	limiter *rate.Limiter
	logger  *slog.Logger
	wake    chan struct{}
	done    chan struct{}
	wg      sync.WaitGroup

	mu      sync.Mutex
	stack   []uint64 // newest last
	running int      // being deleted (0 or 1)
}

func startDeleter(del func(context.Context, uint64) error, perSecond int, logger *slog.Logger) *deleter {
	d := &deleter{del: del, limiter: rate.NewLimiter(rate.Limit(perSecond), deleteBurst), logger: logger,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	d.wg.Add(1)
	go d.run()
	return d
}

// add queues seq for deletion, giving up the oldest waiting when full.
func (d *deleter) add(seq uint64) {
	d.mu.Lock()
	if len(d.stack) == deleteBacklog {
		d.stack = slices.Delete(d.stack, 0, deleteBacklog/4)
	}
	d.stack = append(d.stack, seq)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// waiting is how many acked messages are queued or being deleted.
func (d *deleter) waiting() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.stack) + d.running
}

// next takes the newest waiting sequence.
func (d *deleter) next() (uint64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.stack) == 0 {
		return 0, false
	}
	seq := d.stack[len(d.stack)-1]
	d.stack = d.stack[:len(d.stack)-1]
	d.running = 1
	return seq, true
}

func (d *deleter) run() {
	defer d.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-d.done; cancel() }()
	for {
		seq, ok := d.next()
		if !ok {
			select {
			case <-d.done:
				return
			case <-d.wake:
				continue
			}
		}
		if err := d.limiter.Wait(ctx); err != nil {
			return
		}
		if err := d.del(ctx, seq); err != nil && ctx.Err() == nil {
			d.logger.Warn("deleting an acked message", "seq", seq, "err", err)
		}
		d.mu.Lock()
		d.running = 0
		d.mu.Unlock()
	}
}

func (d *deleter) stop() {
	select {
	case <-d.done:
	default:
		close(d.done)
	}
	d.wg.Wait()
}
