package pyodide

import (
	"sync"

	"github.com/tetratelabs/wazero/experimental"
)

// memPool recycles the interpreters' linear memories: every run restores a
// ~24 MiB memory, and handing the previous run's buffer to the next keeps
// that churn away from the Go garbage collector (lower RSS, fewer pauses).
type memPool struct {
	mu   sync.Mutex
	free [][]byte
}

const memPoolSize = 2

func (p *memPool) Allocate(capacity, maxBytes uint64) experimental.LinearMemory {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, b := range p.free {
		if uint64(cap(b)) >= capacity {
			p.free = append(p.free[:i:i], p.free[i+1:]...)
			return &pooledMemory{pool: p, buf: b[:0], max: maxBytes}
		}
	}
	return &pooledMemory{pool: p, buf: make([]byte, 0, capacity), max: maxBytes}
}

type pooledMemory struct {
	pool *memPool
	buf  []byte
	max  uint64
}

func (m *pooledMemory) Reallocate(size uint64) []byte {
	if size > m.max {
		return nil
	}
	old := uint64(len(m.buf))
	if size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size]
		if size > old {
			clear(m.buf[old:]) // recycled bytes: wasm needs grown memory zeroed
		}
		return m.buf
	}
	nb := make([]byte, size, max(size, min(m.max, size+size/4)))
	copy(nb, m.buf)
	m.buf = nb
	return m.buf
}

func (m *pooledMemory) Free() {
	b := m.buf
	m.buf = nil
	if b == nil || cap(b) > 64<<20 { // do not hoard what a memory bomb grew
		return
	}
	m.pool.mu.Lock()
	defer m.pool.mu.Unlock()
	if len(m.pool.free) < memPoolSize {
		m.pool.free = append(m.pool.free, b[:0])
	}
}
