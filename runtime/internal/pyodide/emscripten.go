package pyodide

// Go implementations of the Emscripten runtime imports (syscalls, WASI, time,
// heap growth, the CPython call trampoline) that pyodide.asm.js provides in JS.

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"math"
	"path"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/memfs"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental/table"
)

type hostFunc = func(inst *Instance, s []uint64)

func neg(errno int32) uint64 { return uint64(uint32(-errno)) }

// eaiNoName is musl's EAI_NONAME, getaddrinfo's "name does not resolve".
const eaiNoName int32 = -2

func i32(v uint64) int32 { return int32(uint32(v)) }
func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// exitError is raised by exit()/proc_exit: the interpreter asked to stop.
type ExitError struct{ Code int32 }

func (e *ExitError) Error() string { return fmt.Sprintf("the interpreter exited with code %d", e.Code) }

// abortError is a fatal Emscripten abort (assertion, abort()).
type abortError struct{ msg string }

func (e *abortError) Error() string { return "the interpreter aborted: " + e.msg }

func (inst *Instance) writeStat(buf uint32, n *memfs.Node, charDev bool) {
	b := make([]byte, 96)
	mode := uint32(0o100644)
	size := uint64(0)
	var ino uint64 = 1
	mtime := inst.fs.Start
	if n != nil {
		size = uint64(inst.fs.Size(n))
		ino = n.Ino
		mtime = n.Mtime
		if n.Dir {
			mode = 0o40755
		} else if n.Readonly {
			mode = 0o100444
		}
	}
	if charDev {
		mode = 0o20620
	} else if n != nil && n.Device != "" {
		mode = 0o20666
	}
	le := binary.LittleEndian
	le.PutUint32(b[0:], 1) // dev
	le.PutUint32(b[4:], mode)
	le.PutUint32(b[8:], 1) // nlink
	le.PutUint64(b[24:], size)
	le.PutUint32(b[32:], 4096)
	le.PutUint32(b[36:], uint32((size+511)/512))
	t := uint64(mtime.Unix())
	ns := uint32(mtime.Nanosecond())
	for _, off := range []int{40, 56, 72} { // atime, mtime, ctime (sec i64, nsec u32)
		le.PutUint64(b[off:], t)
		le.PutUint32(b[off+8:], ns)
	}
	le.PutUint64(b[88:], ino)
	inst.mem.Write(buf, b)
}

func emscriptenImports() map[string]hostFunc {
	m := map[string]hostFunc{
		"__syscall_openat": func(inst *Instance, s []uint64) {
			p := inst.fs.Abs(i32(s[0]), inst.cstr(uint32(s[1])))
			fd, errno := inst.fs.Open(p, i32(s[2]))
			if errno != 0 {
				s[0] = neg(errno)
				return
			}
			s[0] = uint64(fd)
		},
		"__syscall_fstat64": func(inst *Instance, s []uint64) {
			fd := i32(s[0])
			if fd >= 0 && fd <= 2 {
				inst.writeStat(uint32(s[1]), nil, true)
				s[0] = 0
				return
			}
			f, ok := inst.fs.Fds[fd]
			if !ok {
				s[0] = neg(memfs.EBADF)
				return
			}
			inst.writeStat(uint32(s[1]), f.Node, false)
			s[0] = 0
		},
		"__syscall_stat64":  statAt(false),
		"__syscall_lstat64": statAt(false),
		"__syscall_newfstatat": func(inst *Instance, s []uint64) {
			n := inst.fs.Lookup(inst.fs.Abs(i32(s[0]), inst.cstr(uint32(s[1]))))
			if n == nil {
				s[0] = neg(memfs.ENOENT)
				return
			}
			inst.writeStat(uint32(s[2]), n, false)
			s[0] = 0
		},
		"__syscall_faccessat": func(inst *Instance, s []uint64) {
			n := inst.fs.Lookup(inst.fs.Abs(i32(s[0]), inst.cstr(uint32(s[1]))))
			if n == nil {
				s[0] = neg(memfs.ENOENT)
				return
			}
			if i32(s[2])&2 != 0 && n.Readonly { // W_OK
				s[0] = neg(memfs.EROFS)
				return
			}
			s[0] = 0
		},
		"__syscall_getcwd": func(inst *Instance, s []uint64) {
			b := append([]byte(inst.fs.Cwd), 0)
			if uint32(s[1]) < uint32(len(b)) {
				s[0] = neg(memfs.ERANGE)
				return
			}
			inst.mem.Write(uint32(s[0]), b)
			s[0] = uint64(len(b))
		},
		"__syscall_chdir": func(inst *Instance, s []uint64) {
			p := inst.fs.Abs(-100, inst.cstr(uint32(s[0])))
			n := inst.fs.Lookup(p)
			if n == nil || !n.Dir {
				s[0] = neg(memfs.ENOENT)
				return
			}
			inst.fs.Cwd = p
			s[0] = 0
		},
		"__syscall_mkdirat": func(inst *Instance, s []uint64) {
			p := inst.fs.Abs(i32(s[0]), inst.cstr(uint32(s[1])))
			if inst.fs.Lookup(p) != nil {
				s[0] = neg(memfs.EEXIST)
				return
			}
			parent := inst.fs.Lookup(path.Dir(p))
			if parent == nil || !parent.Dir {
				s[0] = neg(memfs.ENOENT)
				return
			}
			if parent.Readonly {
				s[0] = neg(memfs.EROFS)
				return
			}
			inst.fs.MkdirAll(p)
			s[0] = 0
		},
		"__syscall_unlinkat": func(inst *Instance, s []uint64) {
			p := inst.fs.Abs(i32(s[0]), inst.cstr(uint32(s[1])))
			s[0] = neg(inst.fs.Unlink(p, i32(s[2])&0x200 != 0)) // AT_REMOVEDIR
		},
		"__syscall_rmdir": func(inst *Instance, s []uint64) {
			s[0] = neg(inst.fs.Unlink(inst.fs.Abs(-100, inst.cstr(uint32(s[0]))), true))
		},
		"__syscall_renameat": func(inst *Instance, s []uint64) {
			from := inst.fs.Abs(i32(s[0]), inst.cstr(uint32(s[1])))
			to := inst.fs.Abs(i32(s[2]), inst.cstr(uint32(s[3])))
			fd, td := inst.fs.Lookup(path.Dir(from)), inst.fs.Lookup(path.Dir(to))
			if fd == nil || td == nil || fd.Children[path.Base(from)] == nil {
				s[0] = neg(memfs.ENOENT)
				return
			}
			if fd.Readonly || td.Readonly {
				s[0] = neg(memfs.EROFS)
				return
			}
			inst.fs.Load(td) // an overlay folder: its host entries first
			td.Children[path.Base(to)] = fd.Children[path.Base(from)]
			delete(fd.Children, path.Base(from))
			s[0] = 0
		},
		"__syscall_getdents64": func(inst *Instance, s []uint64) {
			f, ok := inst.fs.Fds[i32(s[0])]
			if !ok || !f.Node.Dir {
				s[0] = neg(memfs.EBADF)
				return
			}
			if f.Dents == nil {
				f.Dents = inst.fs.DirEntries(f.Node)
			}
			dirp, count := uint32(s[1]), uint32(s[2])
			const recSize = 280 // struct dirent with a 256-byte name
			start := int(f.Pos / recSize)
			end := min(len(f.Dents), start+int(count/recSize))
			off := uint32(0)
			for i := start; i < end; i++ {
				name := f.Dents[i]
				typ, ino := byte(4), f.Node.Ino // DT_DIR
				if c, ok := f.Node.Children[name]; ok {
					ino = c.Ino
					if !c.Dir {
						typ = 8 // DT_REG
					}
				}
				inst.mem.WriteUint64Le(dirp+off, ino)
				inst.mem.WriteUint64Le(dirp+off+8, uint64((i+1)*recSize))
				inst.mem.WriteUint16Le(dirp+off+16, recSize)
				inst.mem.WriteByte(dirp+off+18, typ)
				inst.mem.Write(dirp+off+19, append([]byte(name), 0))
				off += recSize
			}
			f.Pos = int64(end * recSize)
			s[0] = uint64(off)
		},
		"__syscall_fcntl64": func(inst *Instance, s []uint64) {
			fd, cmd := i32(s[0]), i32(s[1])
			f, ok := inst.fs.Fds[fd]
			if !ok && fd > 2 {
				s[0] = neg(memfs.EBADF)
				return
			}
			switch cmd {
			case 3: // F_GETFL
				if ok {
					s[0] = uint64(f.Flags)
				} else {
					s[0] = 2
				}
			default:
				s[0] = 0
			}
		},
		"__syscall_ioctl":      func(inst *Instance, s []uint64) { s[0] = neg(memfs.ENOTTY) },
		"__syscall_readlinkat": func(inst *Instance, s []uint64) { s[0] = neg(memfs.EINVAL) },
		"__syscall_dup": func(inst *Instance, s []uint64) {
			f, ok := inst.fs.Fds[i32(s[0])]
			if !ok {
				s[0] = neg(memfs.EBADF)
				return
			}
			nf := *f
			fd := inst.fs.Next
			inst.fs.Next++
			inst.fs.Fds[fd] = &nf
			s[0] = uint64(fd)
		},
		"__syscall_ftruncate64": func(inst *Instance, s []uint64) {
			f, ok := inst.fs.Fds[i32(s[0])]
			if !ok {
				s[0] = neg(memfs.EBADF)
				return
			}
			if f.Node.Readonly {
				s[0] = neg(memfs.EROFS)
				return
			}
			n := int(int64(s[1]))
			if n < 0 || n > 1<<30 {
				s[0] = neg(memfs.EINVAL)
				return
			}
			d := make([]byte, n)
			copy(d, f.Node.Data)
			f.Node.Data = d
			s[0] = 0
		},
		"__syscall_poll": func(inst *Instance, s []uint64) { s[0] = uint64(uint32(s[1])) },

		"emscripten_get_now": func(inst *Instance, s []uint64) {
			s[0] = math.Float64bits(float64(time.Since(inst.started).Nanoseconds()) / 1e6)
		},
		"emscripten_date_now": func(inst *Instance, s []uint64) {
			s[0] = math.Float64bits(float64(time.Now().UnixNano()) / 1e6)
		},
		"emscripten_get_heap_max": func(inst *Instance, s []uint64) { s[0] = uint64(inst.memLimit) },
		"emscripten_resize_heap": func(inst *Instance, s []uint64) {
			want := uint64(uint32(s[0]))
			cur := uint64(inst.mem.Size())
			size := max(want, cur+cur/5) // grow by at least 20 %, like Emscripten
			size = (size + 65535) &^ 65535
			if size > inst.memLimit {
				size = inst.memLimit
			}
			if size < want {
				inst.MemLimitHit = true
				s[0] = 0 // malloc fails and Python raises MemoryError
				return
			}
			_, ok := inst.mem.Grow(uint32((size - cur) / 65536))
			if !ok {
				inst.MemLimitHit = true
			}
			s[0] = b2u(ok)
		},
		"emscripten_asm_const_int": func(inst *Instance, s []uint64) {
			switch code := uint32(s[0]); code {
			case inst.host.layout.asmConstJSPI:
				// run_sync works without stack switching (ffi_syncify.go), so
				// Pyodide installs the real run_sync at start.
				s[0] = 1
			case inst.host.layout.asmConstFatal:
				panic(&abortError{"intentionally triggered fatal error"})
			default:
				s[0] = 0
			}
		},
		"_emscripten_get_progname": func(inst *Instance, s []uint64) {
			b := []byte("python\x00")
			if n := uint32(s[1]); uint32(len(b)) > n {
				b = b[:n]
			}
			inst.mem.Write(uint32(s[0]), b)
		},
		"_tzset_js": func(inst *Instance, s []uint64) {
			inst.mem.WriteUint32Le(uint32(s[0]), 0)
			inst.mem.WriteUint32Le(uint32(s[1]), 0)
			inst.mem.Write(uint32(s[2]), []byte("UTC\x00"))
			inst.mem.Write(uint32(s[3]), []byte("UTC\x00"))
		},
		"_localtime_js": tmFromTime,
		"_gmtime_js":    tmFromTime,
		"_timegm_js":    timeFromTm,
		"_mktime_js":    timeFromTm,
		"_abort_js":     func(inst *Instance, s []uint64) { panic(&abortError{"abort()"}) },
		"__assert_fail": func(inst *Instance, s []uint64) {
			panic(&abortError{fmt.Sprintf("assertion %s failed at %s:%d (%s)",
				inst.cstr(uint32(s[0])), inst.cstr(uint32(s[1])), uint32(s[2]), inst.cstr(uint32(s[3])))})
		},
		"exit": func(inst *Instance, s []uint64) { panic(&ExitError{i32(s[0])}) },

		"_PyEM_InitTrampoline_js": func(inst *Instance, s []uint64) {
			base := inst.host.layout.memoryBase
			offAddr := uint32(inst.mod.ExportedGlobal("_PyEM_EMSCRIPTEN_COUNT_ARGS_OFFSET").Get()) + base
			runtime := uint32(inst.mod.ExportedGlobal("_PyRuntime").Get()) + base
			off, _ := inst.mem.ReadUint32Le(offAddr)
			inst.mem.WriteUint32Le(runtime+off, inst.host.countArgsSlot)
		},
		"_PyEM_GetCountArgsPtr": func(inst *Instance, s []uint64) { s[0] = uint64(inst.host.countArgsSlot) },
		"_PyEM_TrampolineCall_JS": func(inst *Instance, s []uint64) {
			n := inst.countArgs(uint32(s[0]))
			if n < 0 {
				panic(&abortError{"CPython trampoline: unexpected function signature"})
			}
			f := inst.lookupTableFunc(uint32(s[0]), n)
			res, err := f.Call(inst.nestedCtx, s[1:1+n]...) // always inside a running call
			if err != nil {
				panic(err)
			}
			s[0] = res[0]
		},
		"_Py_emscripten_runtime":              func(inst *Instance, s []uint64) { s[0] = 0 },
		"_Py_CheckEmscriptenSignals_Helper":   func(inst *Instance, s []uint64) { s[0] = 0 },
		"emscripten_runtime_keepalive_push":   func(inst *Instance, s []uint64) {},
		"emscripten_runtime_keepalive_pop":    func(inst *Instance, s []uint64) {},
		"_emscripten_runtime_keepalive_clear": func(inst *Instance, s []uint64) {},
		"_setitimer_js":                       func(inst *Instance, s []uint64) { s[0] = 0 },
		"_emscripten_system":                  func(inst *Instance, s []uint64) { s[0] = neg(memfs.ENOSYS) },
		// No sockets, as on Cloudflare's Pyodide 0.28 runtime: name lookups
		// fail (EAI_NONAME) and socket() is ENOSYS. The first attempt is
		// noted so the run can say where HTTP has to go instead.
		"getaddrinfo": func(inst *Instance, s []uint64) {
			inst.noteSocket("getaddrinfo")
			s[0] = neg(-eaiNoName)
		},
		"__syscall_socket": func(inst *Instance, s []uint64) {
			inst.noteSocket("socket")
			s[0] = neg(memfs.ENOSYS)
		},
		"__syscall_connect": func(inst *Instance, s []uint64) {
			inst.noteSocket("connect")
			s[0] = neg(memfs.ENOSYS)
		},
		"_dlopen_js": func(inst *Instance, s []uint64) { s[0] = uint64(inst.dlopenJS(uint32(s[0]))) },
		"_dlsym_js":  func(inst *Instance, s []uint64) { s[0] = uint64(inst.dlsymJS(uint32(s[0]), uint32(s[1]))) },
	}
	return m
}

func statAt(_ bool) hostFunc {
	return func(inst *Instance, s []uint64) {
		n := inst.fs.Lookup(inst.fs.Abs(-100, inst.cstr(uint32(s[0]))))
		if n == nil {
			s[0] = neg(memfs.ENOENT)
			return
		}
		inst.writeStat(uint32(s[1]), n, false)
		s[0] = 0
	}
}

func tmFromTime(inst *Instance, s []uint64) {
	t := time.Unix(int64(s[0]), 0).UTC()
	p := uint32(s[1])
	for i, v := range []int{t.Second(), t.Minute(), t.Hour(), t.Day(), int(t.Month()) - 1, t.Year() - 1900, int(t.Weekday()), t.YearDay() - 1, 0, 0} {
		inst.mem.WriteUint32Le(p+uint32(4*i), uint32(int32(v)))
	}
}

func timeFromTm(inst *Instance, s []uint64) {
	p := uint32(s[0])
	rd := func(i int) int { v, _ := inst.mem.ReadUint32Le(p + uint32(4*i)); return int(int32(v)) }
	t := time.Date(rd(5)+1900, time.Month(rd(4)+1), rd(3), rd(2), rd(1), rd(0), 0, time.UTC)
	s[0] = uint64(t.Unix())
}

func wasiImports() map[string]hostFunc {
	return map[string]hostFunc{
		"fd_write":  fdWrite(false),
		"fd_pwrite": fdWrite(true),
		"fd_read":   fdRead(false),
		"fd_pread":  fdRead(true),
		"fd_seek": func(inst *Instance, s []uint64) {
			fd, off, whence := i32(s[0]), int64(s[1]), i32(s[2])
			f, ok := inst.fs.Fds[fd]
			if !ok {
				if fd >= 0 && fd <= 2 {
					s[0] = memfs.ESPIPE
				} else {
					s[0] = memfs.EBADF
				}
				return
			}
			switch whence {
			case 0:
				f.Pos = off
			case 1:
				f.Pos += off
			case 2:
				f.Pos = inst.fs.Size(f.Node) + off
			}
			if f.Node.Dir && off == 0 && whence == 0 {
				f.Dents = nil
			}
			inst.mem.WriteUint64Le(uint32(s[3]), uint64(f.Pos))
			s[0] = 0
		},
		"fd_close": func(inst *Instance, s []uint64) { delete(inst.fs.Fds, i32(s[0])); s[0] = 0 },
		"fd_sync":  func(inst *Instance, s []uint64) { s[0] = 0 },
		"fd_fdstat_get": func(inst *Instance, s []uint64) {
			fd := i32(s[0])
			b := make([]byte, 24)
			if fd >= 0 && fd <= 2 {
				b[0] = 2 // character device
			} else if f, ok := inst.fs.Fds[fd]; ok {
				b[0] = 4 // regular file
				if f.Node.Dir {
					b[0] = 3
				}
			} else {
				s[0] = memfs.EBADF
				return
			}
			inst.mem.Write(uint32(s[1]), b)
			s[0] = 0
		},
		"environ_sizes_get": func(inst *Instance, s []uint64) {
			size := 0
			for _, e := range inst.host.environ {
				size += len(e) + 1
			}
			inst.mem.WriteUint32Le(uint32(s[0]), uint32(len(inst.host.environ)))
			inst.mem.WriteUint32Le(uint32(s[1]), uint32(size))
			s[0] = 0
		},
		"environ_get": func(inst *Instance, s []uint64) {
			ptrs, buf := uint32(s[0]), uint32(s[1])
			for i, e := range inst.host.environ {
				inst.mem.WriteUint32Le(ptrs+4*uint32(i), buf)
				inst.mem.Write(buf, append([]byte(e), 0))
				buf += uint32(len(e) + 1)
			}
			s[0] = 0
		},
		"clock_time_get": func(inst *Instance, s []uint64) {
			t := uint64(time.Now().UnixNano())
			if i32(s[0]) != 0 {
				t = uint64(time.Since(inst.started).Nanoseconds())
			}
			inst.mem.WriteUint64Le(uint32(s[2]), t)
			s[0] = 0
		},
		"clock_res_get": func(inst *Instance, s []uint64) { inst.mem.WriteUint64Le(uint32(s[1]), 1000); s[0] = 0 },
		"random_get": func(inst *Instance, s []uint64) {
			b, ok := inst.mem.Read(uint32(s[0]), uint32(s[1]))
			if !ok {
				s[0] = memfs.EINVAL
				return
			}
			_, _ = crand.Read(b)
			s[0] = 0
		},
		"proc_exit": func(inst *Instance, s []uint64) { panic(&ExitError{i32(s[0])}) },
	}
}

func fdWrite(positional bool) hostFunc {
	return func(inst *Instance, s []uint64) {
		fd, iov, cnt := i32(s[0]), uint32(s[1]), uint32(s[2])
		nwritten := uint32(s[3])
		if positional {
			nwritten = uint32(s[4])
		}
		total := uint32(0)
		for i := uint32(0); i < cnt; i++ {
			p, _ := inst.mem.ReadUint32Le(iov + 8*i)
			l, _ := inst.mem.ReadUint32Le(iov + 8*i + 4)
			b, _ := inst.mem.Read(p, l)
			switch fd {
			case 1:
				inst.writeStdout(b)
			case 2:
				inst.WriteStderr(b)
			default:
				f, ok := inst.fs.Fds[fd]
				if !ok {
					s[0] = memfs.EBADF
					return
				}
				if f.Node.Readonly {
					s[0] = memfs.EROFS
					return
				}
				if f.Node.Device != "" {
					break // /dev/null, /dev/random: dropped
				}
				pos := f.Pos
				if positional {
					pos = int64(s[3])
				}
				end := pos + int64(len(b))
				if int64(len(f.Node.Data)) < end {
					d := make([]byte, end)
					copy(d, f.Node.Data)
					f.Node.Data = d
				}
				copy(f.Node.Data[pos:], b)
				if !positional {
					f.Pos = end
				}
			}
			total += l
		}
		inst.mem.WriteUint32Le(nwritten, total)
		s[0] = 0
	}
}

func fdRead(positional bool) hostFunc {
	return func(inst *Instance, s []uint64) {
		fd, iov, cnt := i32(s[0]), uint32(s[1]), uint32(s[2])
		nread := uint32(s[3])
		if positional {
			nread = uint32(s[4])
		}
		if fd == 0 {
			inst.mem.WriteUint32Le(nread, 0)
			s[0] = 0
			return
		}
		f, ok := inst.fs.Fds[fd]
		if !ok {
			s[0] = memfs.EBADF
			return
		}
		if f.Node.Dir {
			s[0] = memfs.EISDIR
			return
		}
		pos := f.Pos
		if positional {
			pos = int64(s[3])
		}
		total := uint32(0)
		for i := uint32(0); i < cnt; i++ {
			p, _ := inst.mem.ReadUint32Le(iov + 8*i)
			l, _ := inst.mem.ReadUint32Le(iov + 8*i + 4)
			dst, _ := inst.mem.Read(p, l)
			n := inst.fs.ReadAt(f.Node, dst, pos) // host files by range (memfs)
			pos += int64(n)
			total += uint32(n)
			if n < len(dst) {
				break
			}
		}
		if !positional {
			f.Pos = pos
		}
		inst.mem.WriteUint32Le(nread, total)
		s[0] = 0
	}
}

// countArgs replaces the wasm-GC "count args" helper Pyodide builds in JS:
// it reports how many i32 parameters the function in table slot idx takes.
func (inst *Instance) countArgs(idx uint32) int {
	// Slots past the main table hold side-module functions, which differ
	// between instances.
	dynamic := idx > inst.host.countArgsSlot
	if dynamic {
		if n, ok := inst.argCounts[idx]; ok {
			return n
		}
	} else if n, ok := inst.host.argCounts.Load(idx); ok {
		return n.(int)
	}
	res := -1
	for n := 3; n >= 0; n-- {
		if inst.tryLookupTableFunc(idx, n) != nil {
			res = n
			break
		}
	}
	if dynamic {
		if inst.argCounts == nil {
			inst.argCounts = map[uint32]int{}
		}
		inst.argCounts[idx] = res
	} else {
		inst.host.argCounts.Store(idx, res)
	}
	return res
}

func (inst *Instance) tryLookupTableFunc(idx uint32, nparams int) (f api.Function) {
	defer func() {
		if recover() != nil {
			f = nil
		}
	}()
	return inst.lookupTableFunc(idx, nparams)
}

func (inst *Instance) lookupTableFunc(idx uint32, nparams int) api.Function {
	return table.LookupFunction(inst.mod, 0, idx, i32Types(nparams), i32Types(1))
}

func i32Types(n int) []api.ValueType {
	r := make([]api.ValueType, n)
	for i := range r {
		r[i] = api.ValueTypeI32
	}
	return r
}

// hostCountArgs is the Go function placed in the spare table slot.
func hostCountArgs(ctx context.Context, _ api.Module, s []uint64) {
	inst := instanceFrom(ctx)
	s[0] = uint64(uint32(int32(inst.countArgs(uint32(s[0])))))
}
