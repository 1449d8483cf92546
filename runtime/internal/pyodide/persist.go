package pyodide

// Snapshots on disk: a new process restores the booted interpreter instead
// of spending ~12 s importing the stdlib from source.

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// snapshotFormat changes whenever boot or the snapshot layout changes.
const snapshotFormat = "pyworkers-snapshot-5" // 2: booted with run_sync; 3: loaded side modules; 4, 5: the package finder

// snapshotKey identifies what a persisted snapshot was built from.
// files are the host's files (the runner and the built-in SDK); setupKey
// names what boot imported on top of the interpreter.
func SnapshotKey(art *Artifacts, setupKey string, files map[string][]byte) string {
	h := sha256.New()
	fmt.Fprintln(h, snapshotFormat, PyodideVersion, setupKey)
	if b, err := os.ReadFile(art.Checksums); err == nil {
		h.Write(b)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(h, n, len(files[n]))
		h.Write(files[n])
	}
	fmt.Fprintln(h, strings.Join(preloadModules, ","))
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func WriteSnapshot(path string, s *Snapshot) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".snap-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 1<<20)
	put := func(v uint64) { _ = binary.Write(w, binary.LittleEndian, v) }
	putStr := func(s string) { put(uint64(len(s))); w.WriteString(s) }
	putRef := func(d refDesc) {
		if d.isPath {
			w.WriteByte('p')
			put(uint64(len(d.path)))
			for _, p := range d.path {
				putStr(p)
			}
			return
		}
		switch x := d.prim.(type) {
		case nil:
			w.WriteByte('n')
		case js.UndefinedType:
			w.WriteByte('u')
		case bool:
			if x {
				w.WriteByte('t')
			} else {
				w.WriteByte('f')
			}
		case float64:
			w.WriteByte('d')
			put(math.Float64bits(x))
		case string:
			w.WriteByte('s')
			putStr(x)
		case *big.Int:
			w.WriteByte('b')
			putStr(x.String())
		default:
			w.WriteByte('u')
		}
	}
	w.WriteString(snapshotFormat + "\n")
	put(s.sp)
	put(uint64(len(s.Memory)))
	w.Write(s.Memory)
	for _, list := range [][]refDesc{s.hiwire, s.immortal} {
		put(uint64(len(list)))
		for _, d := range list {
			putRef(d)
		}
	}
	put(uint64(len(s.dedup)))
	for _, e := range s.dedup {
		putRef(e.key)
		put(math.Float64bits(e.slot))
	}
	put(uint64(s.tableSize))
	put(uint64(len(s.dylibs)))
	for _, l := range s.dylibs {
		putStr(l.Name)
		put(uint64(l.Handle))
		put(uint64(l.MemBase))
		put(uint64(l.TableBase))
		w.Write(l.Sum[:])
	}
	put(uint64(len(s.slots)))
	for _, e := range s.slots {
		put(uint64(e.Slot))
		putStr(e.Module)
		putStr(e.Export)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

var errBadSnapshot = errors.New("corrupt snapshot file")

func ReadSnapshot(path string) (s *Snapshot, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	defer func() {
		if rec := recover(); rec != nil {
			s, err = nil, errBadSnapshot
		}
	}()
	get := func() uint64 {
		var v uint64
		if err := binary.Read(r, binary.LittleEndian, &v); err != nil {
			panic(err)
		}
		return v
	}
	getBytes := func(n uint64) []byte {
		if n > 4<<30 {
			panic(errBadSnapshot)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			panic(err)
		}
		return b
	}
	getStr := func() string { return string(getBytes(get())) }
	getRef := func() refDesc {
		c, err := r.ReadByte()
		if err != nil {
			panic(err)
		}
		switch c {
		case 'p':
			n := get()
			d := refDesc{isPath: true}
			for i := uint64(0); i < n; i++ {
				d.path = append(d.path, getStr())
			}
			return d
		case 'n':
			return refDesc{prim: nil}
		case 'u':
			return refDesc{prim: Undefined}
		case 't':
			return refDesc{prim: true}
		case 'f':
			return refDesc{prim: false}
		case 'd':
			return refDesc{prim: math.Float64frombits(get())}
		case 's':
			return refDesc{prim: getStr()}
		case 'b':
			b, ok := new(big.Int).SetString(getStr(), 10)
			if !ok {
				panic(errBadSnapshot)
			}
			return refDesc{prim: b}
		}
		panic(errBadSnapshot)
	}
	header, err := r.ReadString('\n')
	if err != nil || header != snapshotFormat+"\n" {
		return nil, errBadSnapshot
	}
	s = &Snapshot{sp: get()}
	s.Memory = getBytes(get())
	for _, list := range []*[]refDesc{&s.hiwire, &s.immortal} {
		n := get()
		for i := uint64(0); i < n; i++ {
			*list = append(*list, getRef())
		}
	}
	n := get()
	for i := uint64(0); i < n; i++ {
		k := getRef()
		s.dedup = append(s.dedup, dedupEntry{key: k, slot: math.Float64frombits(get())})
	}
	s.tableSize = uint32(get())
	n = get()
	for i := uint64(0); i < n; i++ {
		l := DylibRecord{Name: getStr(), Handle: uint32(get()), MemBase: uint32(get()), TableBase: uint32(get())}
		copy(l.Sum[:], getBytes(32))
		s.dylibs = append(s.dylibs, l)
	}
	n = get()
	for i := uint64(0); i < n; i++ {
		s.slots = append(s.slots, slotRecord{Slot: uint32(get()), Module: getStr(), Export: getStr()})
	}
	return s, nil
}
