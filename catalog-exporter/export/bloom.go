package export

import "hash/maphash"

// bloom is a scalable Bloom filter of ids: when one filter has taken its
// capacity, a filter twice as large is added, so the number of ids need not
// be known up front. At 12 bits and 8 hashes an id, each filter answers
// "maybe" for an id it has not seen about 0.3% of the time; it never
// answers "no" for an id it has seen.
type bloom struct {
	seeds   [2]maphash.Seed
	filters []bloomFilter
}

type bloomFilter struct {
	bits     []uint64
	m        uint64 // bits
	n, limit int    // ids added, capacity
}

const (
	bloomBitsPerID = 12
	bloomHashes    = 8
	bloomFirst     = 1 << 16 // ids in the first filter
)

func newBloom() *bloom {
	return &bloom{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
}

// add records id and reports whether it may have been added before.
func (b *bloom) add(id string) (maybeSeen bool) {
	h1 := maphash.String(b.seeds[0], id)
	h2 := maphash.String(b.seeds[1], id) | 1 // odd: the probes cover the table
	for i := range b.filters {
		if b.filters[i].has(h1, h2) {
			maybeSeen = true
			break
		}
	}
	if len(b.filters) == 0 || b.filters[len(b.filters)-1].n == b.filters[len(b.filters)-1].limit {
		limit := bloomFirst
		if len(b.filters) > 0 {
			limit = 2 * b.filters[len(b.filters)-1].limit
		}
		m := uint64(limit * bloomBitsPerID)
		b.filters = append(b.filters, bloomFilter{bits: make([]uint64, (m+63)/64), m: m, limit: limit})
	}
	b.filters[len(b.filters)-1].set(h1, h2)
	return maybeSeen
}

func (f *bloomFilter) has(h1, h2 uint64) bool {
	for i := range uint64(bloomHashes) {
		bit := (h1 + i*h2) % f.m
		if f.bits[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}

func (f *bloomFilter) set(h1, h2 uint64) {
	for i := range uint64(bloomHashes) {
		bit := (h1 + i*h2) % f.m
		f.bits[bit/64] |= 1 << (bit % 64)
	}
	f.n++
}

// bytes is the memory the filters hold.
func (b *bloom) bytes() int {
	n := 0
	for _, f := range b.filters {
		n += 8 * len(f.bits)
	}
	return n
}
