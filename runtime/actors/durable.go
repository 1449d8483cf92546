package actors

// Durable Objects: the DurableObjectNamespace binding, ids, stubs (fetch and
// RPC), the DurableObjectState handed to the class, its SQLite-backed
// storage (key-value API, transactions, sql.exec, alarms) and the Go API.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// objectSchema is the schema of one object's database. Like Cloudflare's
// SQLite-backed objects, the key-value API lives in _cf_ tables next to the
// object's own sql.exec tables.
const objectSchema = `
CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, kind TEXT NOT NULL, value BLOB);
CREATE TABLE IF NOT EXISTS _cf_alarm (id INTEGER PRIMARY KEY CHECK (id = 1), time REAL);
CREATE TABLE IF NOT EXISTS _cf_meta (key TEXT PRIMARY KEY, value TEXT);
`

// objectPath is <state>/durable_objects/<class>/<id>.sqlite.
func objectPath(spec runtime.WorkerSpec, class, id string) string {
	return filepath.Join(StateDir(spec), "durable_objects", class, id+".sqlite")
}

// IDFromName is the id idFromName(name) gives for class: stable, 64 hex
// digits, like Cloudflare's.
func IDFromName(class, name string) string {
	sum := sha256.Sum256([]byte("pyworkers durable object\x00" + class + "\x00" + name))
	return hex.EncodeToString(sum[:])
}

func newUniqueID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func validID(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// doTarget is where a namespace's class lives.
type doTarget struct {
	class string
	spec  runtime.WorkerSpec // the Worker defining the class (owns its storage)
	local bool               // defined by the Worker of the run itself
	err   error              // script_name names no Worker of the workspace
}

func resolveTarget(spec runtime.WorkerSpec, b runtime.Binding) doTarget {
	t := doTarget{class: b.Field("class_name"), spec: spec, local: true}
	if script := b.Field("script_name"); script != "" && script != spec.Name {
		t.local = false
		t.spec, t.err = FindWorker(spec, script)
	}
	return t
}

func newNamespace(r *runtime.Realm, spec runtime.WorkerSpec, b runtime.Binding) *runtime.Object {
	t := resolveTarget(spec, b)
	ns := r.NewInstance("DurableObjectNamespace")
	makeID := func(id, name string) *runtime.Object {
		o := r.NewInstance("DurableObjectId")
		if name != "" {
			o.SetProperty("name", name)
		} else {
			o.SetProperty("name", runtime.Undefined)
		}
		r.Method(o, "toString", func([]runtime.Value) (runtime.Value, error) { return id, nil })
		r.Method(o, "equals", func(a []runtime.Value) (runtime.Value, error) {
			return idString(r, arg(a, 0)) == id, nil
		})
		return o
	}
	r.Method(ns, "idFromName", func(a []runtime.Value) (runtime.Value, error) {
		name, ok := arg(a, 0).(string)
		if !ok {
			return nil, errors.New("idFromName: the name must be a string")
		}
		return makeID(IDFromName(t.class, name), name), nil
	})
	r.Method(ns, "idFromString", func(a []runtime.Value) (runtime.Value, error) {
		s, _ := arg(a, 0).(string)
		if !validID(s) {
			return nil, fmt.Errorf("idFromString: Invalid Durable Object ID: must be 64 hex digits, got %q", s)
		}
		return makeID(strings.ToLower(s), ""), nil
	})
	r.Method(ns, "newUniqueId", func([]runtime.Value) (runtime.Value, error) {
		return makeID(newUniqueID(), ""), nil
	})
	stubFor := func(id, name string) (runtime.Value, error) {
		if t.err != nil {
			return nil, t.err
		}
		if t.class == "" {
			return nil, fmt.Errorf("the durable_objects binding %q has no class_name", b.Name)
		}
		return newStub(r, t, makeID(id, name), id, name)
	}
	r.Method(ns, "get", func(a []runtime.Value) (runtime.Value, error) {
		id := idString(r, arg(a, 0))
		if !validID(id) {
			return nil, errors.New("get: expected a DurableObjectId (from idFromName, idFromString or newUniqueId)")
		}
		name, _ := r.Get(arg(a, 0), "name").(string)
		return stubFor(id, name)
	})
	r.Method(ns, "getByName", func(a []runtime.Value) (runtime.Value, error) {
		name, ok := arg(a, 0).(string)
		if !ok {
			return nil, errors.New("getByName: the name must be a string")
		}
		return stubFor(IDFromName(t.class, name), name)
	})
	r.Method(ns, "jurisdiction", func([]runtime.Value) (runtime.Value, error) { return ns, nil })
	return ns
}

func idString(r *runtime.Realm, v runtime.Value) string {
	if s, ok := v.(string); ok {
		return s
	}
	o, ok := v.(*runtime.Object)
	if !ok {
		return ""
	}
	res, _, ok := r.Call(r.Get(o, "toString"))
	if !ok {
		return ""
	}
	s, _ := res.(string)
	return s
}

func arg(a []runtime.Value, i int) runtime.Value {
	if i < len(a) {
		return a[i]
	}
	return runtime.Undefined
}

// stubReserved are property names a stub must not answer with an RPC
// method: the FFI probes them to decide what kind of object it holds.
var stubReserved = map[string]bool{"then": true, "next": true, "size": true, "length": true, "get": true,
	"set": true, "has": true, "includes": true, "constructor": true, "toJSON": true, "toString": true,
	"valueOf": true, "prototype": true, "id": true, "name": true, "fetch": true}

func newStub(r *runtime.Realm, t doTarget, idObj *runtime.Object, id, name string) (*runtime.Object, error) {
	stub := r.NewInstance("DurableObject")
	stub.SetProperty("id", idObj)
	if name != "" {
		stub.SetProperty("name", name)
	}
	key := "durable-object:" + t.class + ":" + id
	setup := func(r *runtime.Realm) (runtime.Value, []runtime.Value, error) {
		st, err := newState(r, t.spec, t.class, id, name)
		return st, nil, err
	}
	call := func(method string, args []runtime.Value) runtime.Value {
		if t.local {
			return r.CallClass(runtime.ClassCall{Class: t.class, Key: key, Method: method, Setup: setup}, args)
		}
		// A class of another Worker runs in that Worker's own interpreter.
		goArgs := make([]any, len(args))
		for i, a := range args {
			goArgs[i] = r.ToGo(a)
		}
		return r.Defer(func() (runtime.Value, error) {
			res, err := r.Engine().RunClass(nestedContext(r.Context()), t.spec, runtime.ClassCall{Class: t.class, Key: key, Method: method, Args: goArgs, Setup: setup})
			if err != nil {
				return nil, err
			}
			if res.Error != nil {
				return nil, fmt.Errorf("%s.%s: %s", t.class, method, res.Error.Error())
			}
			return r.FromGoOrdered(res.Value), nil
		})
	}
	r.Method(stub, "fetch", func(a []runtime.Value) (runtime.Value, error) {
		return r.HTTPRequestOf(arg(a, 0), arg(a, 1), func(req runtime.HTTPRequest) (runtime.Value, error) {
			if t.local {
				return r.CallClass(runtime.ClassCall{Class: t.class, Key: key, Method: "fetch", Setup: setup},
					[]runtime.Value{r.NewRequest(req)}), nil
			}
			return r.Defer(func() (runtime.Value, error) {
				res, err := r.Engine().RunClass(nestedContext(r.Context()), t.spec, runtime.ClassCall{Class: t.class, Key: key, Method: "fetch", Request: &req, Setup: setup})
				if err != nil {
					return nil, err
				}
				return r.ResponseOf(res), nil
			}), nil
		}), nil
	})
	var methods map[string]bool
	if t.local {
		names, err := r.ClassMethods(t.class)
		if err != nil {
			return nil, err
		}
		if names == nil {
			return nil, fmt.Errorf("the main module defines no class %s (class_name of a durable_objects binding)", t.class)
		}
		methods = map[string]bool{}
		for _, n := range names {
			methods[n] = true
		}
	}
	r.SetDynamic(stub, func(k string) (runtime.Value, bool) {
		if strings.HasPrefix(k, "_") || strings.HasPrefix(k, "@@") {
			return nil, false
		}
		if methods != nil && !methods[k] {
			return nil, false
		}
		if methods == nil && stubReserved[k] {
			return nil, false
		}
		return r.Func(k, func(a []runtime.Value) runtime.Value { return call(k, a) }), true
	})
	return stub, nil
}

// ---- DurableObjectState and DurableObjectStorage

func newState(r *runtime.Realm, spec runtime.WorkerSpec, class, id, name string) (*runtime.Object, error) {
	// The run holds the object until it ends (objlock.go).
	if err := lockObject(r.Context(), objectPath(spec, class, id)); err != nil {
		return nil, fmt.Errorf("waiting for Durable Object %s %s (in use by another run): %w", class, id, err)
	}
	db, err := openDB(objectPath(spec, class, id), objectSchema)
	if err != nil {
		return nil, err
	}
	if name != "" {
		_, _ = db.Exec(`INSERT OR IGNORE INTO _cf_meta(key, value) VALUES ('name', ?)`, name)
	}
	st := r.NewInstance("DurableObjectState")
	idObj := r.NewInstance("DurableObjectId")
	r.Method(idObj, "toString", func([]runtime.Value) (runtime.Value, error) { return id, nil })
	if name != "" {
		idObj.SetProperty("name", name)
	}
	st.SetProperty("id", idObj)
	st.SetProperty("storage", newStorage(r, db, nil))
	r.Method(st, "waitUntil", func([]runtime.Value) (runtime.Value, error) { return runtime.Undefined, nil })
	r.Method(st, "blockConcurrencyWhile", func(a []runtime.Value) (runtime.Value, error) {
		// Calls are not interleaved more than the event loop does: running
		// the callback is all blockConcurrencyWhile needs to do locally.
		v, thrown, ok := r.Call(arg(a, 0))
		if !ok {
			return r.Rejected(thrown), nil
		}
		return r.Resolved(v), nil
	})
	acceptWebSockets(r, spec, st, class, id, name)
	r.Method(st, "abort", func(a []runtime.Value) (runtime.Value, error) {
		return nil, fmt.Errorf("Durable Object aborted: %v", r.ToGo(arg(a, 0)))
	})
	return st, nil
}

// txOverlay holds a transaction's writes until it commits (nil = deleted).
type txOverlay map[string]*storedValue

type storedValue struct {
	kind  string // "json" or "bytes"
	value []byte
}

func encodeValue(r *runtime.Realm, v runtime.Value) (*storedValue, error) {
	g := r.ToGo(v)
	if b, ok := g.([]byte); ok {
		return &storedValue{kind: "bytes", value: b}, nil
	}
	j, err := json.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("DataCloneError: %v", err)
	}
	return &storedValue{kind: "json", value: j}, nil
}

func decodeValue(r *runtime.Realm, sv *storedValue) runtime.Value {
	if sv == nil {
		return runtime.Undefined
	}
	if sv.kind == "bytes" {
		return r.NewArrayBuffer(append([]byte{}, sv.value...))
	}
	var g any
	if err := json.Unmarshal(sv.value, &g); err != nil {
		return runtime.Undefined
	}
	return r.FromGoOrdered(g)
}

func newStorage(r *runtime.Realm, db *sql.DB, tx txOverlay) *runtime.Object {
	s := r.NewInstance("DurableObjectStorage")
	if tx != nil {
		s = r.NewInstance("DurableObjectTransaction")
	}
	read := func(key string) (*storedValue, error) {
		if tx != nil {
			if sv, ok := tx[key]; ok {
				return sv, nil
			}
		}
		var sv storedValue
		err := db.QueryRow(`SELECT kind, value FROM _cf_KV WHERE key = ?`, key).Scan(&sv.kind, &sv.value)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &sv, nil
	}
	write := func(entries map[string]*storedValue) error {
		if tx != nil {
			for k, v := range entries {
				tx[k] = v
			}
			return nil
		}
		return commit(db, entries)
	}
	keysOf := func(v runtime.Value) ([]string, bool) {
		if s, ok := v.(string); ok {
			return []string{s}, false
		}
		var keys []string
		if list, ok := r.ToGo(v).([]any); ok {
			for _, k := range list {
				keys = append(keys, fmt.Sprint(k))
			}
			return keys, true
		}
		return []string{fmt.Sprint(r.ToGo(v))}, false
	}
	r.AsyncMethod(s, "get", func(a []runtime.Value) (runtime.Value, error) {
		keys, many := keysOf(arg(a, 0))
		if !many {
			sv, err := read(keys[0])
			if err != nil {
				return nil, err
			}
			return decodeValue(r, sv), nil
		}
		var found []string
		var vals []runtime.Value
		for _, k := range keys {
			sv, err := read(k)
			if err != nil {
				return nil, err
			}
			if sv != nil {
				found = append(found, k)
				vals = append(vals, decodeValue(r, sv))
			}
		}
		return r.NewMap(found, vals), nil
	})
	r.AsyncMethod(s, "put", func(a []runtime.Value) (runtime.Value, error) {
		entries := map[string]*storedValue{}
		if k, ok := arg(a, 0).(string); ok {
			sv, err := encodeValue(r, arg(a, 1))
			if err != nil {
				return nil, err
			}
			entries[k] = sv
		} else if obj, ok := arg(a, 0).(*runtime.Object); ok {
			for _, k := range obj.OwnKeys() {
				sv, err := encodeValue(r, obj.Get(k))
				if err != nil {
					return nil, err
				}
				entries[k] = sv
			}
		} else {
			return nil, errors.New("put: expected a key and a value, or an object of entries")
		}
		return runtime.Undefined, write(entries)
	})
	r.AsyncMethod(s, "delete", func(a []runtime.Value) (runtime.Value, error) {
		keys, many := keysOf(arg(a, 0))
		entries := map[string]*storedValue{}
		n := 0
		for _, k := range keys {
			sv, err := read(k)
			if err != nil {
				return nil, err
			}
			if sv != nil {
				n++
			}
			entries[k] = nil
		}
		if err := write(entries); err != nil {
			return nil, err
		}
		if many {
			return float64(n), nil
		}
		return n > 0, nil
	})
	r.AsyncMethod(s, "deleteAll", func([]runtime.Value) (runtime.Value, error) {
		if tx != nil {
			return nil, errors.New("deleteAll cannot be called inside a transaction")
		}
		_, err := db.Exec(`DELETE FROM _cf_KV`)
		return runtime.Undefined, err
	})
	// listEntries is list()'s selection (prefix, start, startAfter, end,
	// reverse, limit), with the transaction's writes seen.
	listEntries := func(opts map[string]any) ([]string, []runtime.Value, error) {
		prefix, _ := opts["prefix"].(string)
		start, _ := opts["start"].(string)
		startAfter, _ := opts["startAfter"].(string)
		end, _ := opts["end"].(string)
		reverse, _ := opts["reverse"].(bool)
		limit := -1
		if l, ok := opts["limit"].(float64); ok {
			limit = int(l)
		}
		rows, err := db.Query(`SELECT key, kind, value FROM _cf_KV ORDER BY key`)
		if err != nil {
			return nil, nil, err
		}
		all := map[string]*storedValue{}
		for rows.Next() {
			var k string
			var sv storedValue
			if err := rows.Scan(&k, &sv.kind, &sv.value); err != nil {
				rows.Close()
				return nil, nil, err
			}
			all[k] = &sv
		}
		rows.Close()
		for k, v := range tx {
			if v == nil {
				delete(all, k)
			} else {
				all[k] = v
			}
		}
		keys := make([]string, 0, len(all))
		for k := range all {
			if strings.HasPrefix(k, prefix) && (start == "" || k >= start) && (startAfter == "" || k > startAfter) && (end == "" || k < end) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		if reverse {
			for i, j := 0, len(keys)-1; i < j; i, j = i+1, j-1 {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
		if limit >= 0 && len(keys) > limit {
			keys = keys[:limit]
		}
		vals := make([]runtime.Value, len(keys))
		for i, k := range keys {
			vals[i] = decodeValue(r, all[k])
		}
		return keys, vals, nil
	}
	r.AsyncMethod(s, "list", func(a []runtime.Value) (runtime.Value, error) {
		opts, _ := r.ToGo(arg(a, 0)).(map[string]any)
		keys, vals, err := listEntries(opts)
		if err != nil {
			return nil, err
		}
		return r.NewMap(keys, vals), nil
	})
	// kv is the synchronous KV API of SQLite-backed objects: the same
	// storage, answered at once instead of through promises.
	kv := r.NewInstance("SyncKvStorage")
	r.Method(kv, "get", func(a []runtime.Value) (runtime.Value, error) {
		k, ok := arg(a, 0).(string)
		if !ok {
			return nil, runtime.NewTypeError("kv.get: the key must be a string")
		}
		sv, err := read(k)
		if err != nil || sv == nil {
			return runtime.Undefined, err
		}
		return decodeValue(r, sv), nil
	})
	r.Method(kv, "put", func(a []runtime.Value) (runtime.Value, error) {
		k, ok := arg(a, 0).(string)
		if !ok {
			return nil, runtime.NewTypeError("kv.put: the key must be a string")
		}
		sv, err := encodeValue(r, arg(a, 1))
		if err != nil {
			return nil, err
		}
		return runtime.Undefined, write(map[string]*storedValue{k: sv})
	})
	r.Method(kv, "delete", func(a []runtime.Value) (runtime.Value, error) {
		k, ok := arg(a, 0).(string)
		if !ok {
			return nil, runtime.NewTypeError("kv.delete: the key must be a string")
		}
		sv, err := read(k)
		if err != nil {
			return nil, err
		}
		return sv != nil, write(map[string]*storedValue{k: nil})
	})
	r.Method(kv, "list", func(a []runtime.Value) (runtime.Value, error) {
		opts, _ := r.ToGo(arg(a, 0)).(map[string]any)
		keys, vals, err := listEntries(opts)
		if err != nil {
			return nil, err
		}
		pairs := make([]runtime.Value, len(keys))
		for i, k := range keys {
			pairs[i] = r.NewArray(k, vals[i])
		}
		return r.NewIterator(pairs), nil
	})
	s.SetProperty("kv", kv)
	if tx != nil {
		r.Method(s, "rollback", func([]runtime.Value) (runtime.Value, error) {
			for k := range tx {
				delete(tx, k)
			}
			tx["\x00rolled back"] = nil
			return runtime.Undefined, nil
		})
		return s
	}
	r.Method(s, "transaction", func(a []runtime.Value) (runtime.Value, error) {
		// The closure's writes are kept aside and committed in one SQLite
		// transaction when its promise fulfils; a throw (or rollback())
		// discards them.
		overlay := txOverlay{}
		txn := newStorage(r, db, overlay)
		res, thrown, ok := r.Call(arg(a, 0), txn)
		if !ok {
			return r.Rejected(thrown), nil
		}
		p, resolve, reject := r.NewPromise()
		r.Await(res, func(v runtime.Value) {
			if _, rolled := overlay["\x00rolled back"]; rolled {
				resolve(v)
				return
			}
			if err := commit(db, overlay); err != nil {
				reject(r.ErrorValue(err))
				return
			}
			resolve(v)
		}, reject)
		return p, nil
	})
	r.AsyncMethod(s, "sync", func([]runtime.Value) (runtime.Value, error) { return runtime.Undefined, nil })
	r.AsyncMethod(s, "getAlarm", func([]runtime.Value) (runtime.Value, error) {
		t, ok, err := getAlarm(db)
		if err != nil || !ok {
			return nil, err
		}
		return float64(t.UnixMilli()), nil
	})
	r.AsyncMethod(s, "setAlarm", func(a []runtime.Value) (runtime.Value, error) {
		ms, ok := alarmTime(r, arg(a, 0))
		if !ok {
			return nil, errors.New("setAlarm: expected a time in milliseconds since the epoch or a Date")
		}
		_, err := db.Exec(`INSERT INTO _cf_alarm(id, time) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET time = excluded.time`, ms)
		return runtime.Undefined, err
	})
	r.AsyncMethod(s, "deleteAlarm", func([]runtime.Value) (runtime.Value, error) {
		_, err := db.Exec(`DELETE FROM _cf_alarm`)
		return runtime.Undefined, err
	})
	s.SetProperty("sql", newSQL(r, db))
	return s
}

func alarmTime(r *runtime.Realm, v runtime.Value) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case *runtime.Object:
		if res, _, ok := r.Call(r.Get(x, "getTime")); ok {
			if f, ok := res.(float64); ok {
				return f, true
			}
		}
	}
	return 0, false
}

func commit(db *sql.DB, entries map[string]*storedValue) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for k, v := range entries {
		if strings.HasPrefix(k, "\x00") {
			continue
		}
		if v == nil {
			_, err = tx.Exec(`DELETE FROM _cf_KV WHERE key = ?`, k)
		} else {
			_, err = tx.Exec(`INSERT INTO _cf_KV(key, kind, value) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, value = excluded.value`, k, v.kind, v.value)
		}
		if err != nil {
			return err
		}
	}
	return tx.Commit()
}

func getAlarm(db *sql.DB) (time.Time, bool, error) {
	var ms sql.NullFloat64
	err := db.QueryRow(`SELECT time FROM _cf_alarm WHERE id = 1`).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !ms.Valid) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	return time.UnixMilli(int64(ms.Float64)), true, nil
}

// newSQL is ctx.storage.sql: exec(query, ...bindings) on the object's database.
func newSQL(r *runtime.Realm, db *sql.DB) *runtime.Object {
	s := r.NewInstance("SqlStorage")
	r.Method(s, "exec", func(a []runtime.Value) (runtime.Value, error) {
		query, ok := arg(a, 0).(string)
		if !ok {
			return nil, errors.New("sql.exec: the query must be a string")
		}
		if strings.Contains(strings.ToLower(query), "_cf_") {
			return nil, errors.New("sql.exec: access to tables whose names start with _cf_ is not allowed")
		}
		var params []any
		for _, v := range a[1:] {
			params = append(params, sqlParam(r.ToGo(v)))
		}
		cols, rows, written, err := execSQL(db, query, params)
		if err != nil {
			return nil, fmt.Errorf("SQLITE_ERROR: %v", err)
		}
		return newCursor(r, cols, rows, written), nil
	})
	s.SetProperty("databaseSize", float64(0))
	return s
}

func sqlParam(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
		return x
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	}
	return v
}

// execSQL runs every statement of query (the last one's rows are returned).
func execSQL(db *sql.DB, query string, params []any) (cols []string, out [][]any, written int64, err error) {
	rows, err := db.Query(query, params...)
	if err != nil {
		return nil, nil, 0, err
	}
	defer rows.Close()
	cols, _ = rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, 0, err
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, 0, err
	}
	return cols, out, 0, nil
}

func sqlValue(r *runtime.Realm, v any) runtime.Value {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		return float64(x)
	case float64:
		return x
	case string:
		return x
	case []byte:
		return r.NewArrayBuffer(append([]byte{}, x...))
	case bool:
		return x
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

func newCursor(r *runtime.Realm, cols []string, rows [][]any, written int64) *runtime.Object {
	c := r.NewInstance("SqlStorageCursor")
	rowObject := func(row []any) runtime.Value {
		o := r.NewPlainObject()
		for i, col := range cols {
			o.SetProperty(col, sqlValue(r, row[i]))
		}
		return o
	}
	objects := func() []runtime.Value {
		out := make([]runtime.Value, len(rows))
		for i, row := range rows {
			out[i] = rowObject(row)
		}
		return out
	}
	colNames := make([]runtime.Value, len(cols))
	for i, col := range cols {
		colNames[i] = col
	}
	c.SetProperty("columnNames", r.NewArray(colNames...))
	c.SetProperty("rowsRead", float64(len(rows)))
	c.SetProperty("rowsWritten", float64(written))
	r.Method(c, "toArray", func([]runtime.Value) (runtime.Value, error) { return r.NewArray(objects()...), nil })
	r.Method(c, "one", func([]runtime.Value) (runtime.Value, error) {
		if len(rows) != 1 {
			return nil, fmt.Errorf("Expected exactly one result from SQL query, but got %d", len(rows))
		}
		return rowObject(rows[0]), nil
	})
	r.Method(c, "raw", func([]runtime.Value) (runtime.Value, error) {
		out := make([]runtime.Value, len(rows))
		for i, row := range rows {
			vals := make([]runtime.Value, len(row))
			for j, v := range row {
				vals[j] = sqlValue(r, v)
			}
			out[i] = r.NewArray(vals...)
		}
		return r.NewIterator(out), nil
	})
	r.Method(c, "@@iterator", func([]runtime.Value) (runtime.Value, error) { return r.NewIterator(objects()), nil })
	return c
}

// ---- Go API

// DurableObjectCall names an object and what to call on it.
type DurableObjectCall struct {
	// Binding is the env binding name or the class name of the object.
	Binding string
	// Name picks the object as idFromName(Name) does; ID (64 hex digits) picks it directly.
	Name, ID string
	// Method is an RPC method; "" with Request set calls fetch.
	Method  string
	Args    []any
	Request *runtime.HTTPRequest
}

// durableClass resolves a binding or class name to (class, owning Worker).
func durableClass(spec runtime.WorkerSpec, which string) (doTarget, error) {
	var classes []string
	for _, b := range spec.Bindings {
		if b.Kind != "durable_objects" && b.Kind != "durable_objects.bindings" {
			continue
		}
		if b.Name == which || b.Field("class_name") == which {
			t := resolveTarget(spec, b)
			return t, t.err
		}
		classes = append(classes, b.Name+" ("+b.Field("class_name")+")")
	}
	if len(classes) == 0 {
		return doTarget{}, fmt.Errorf("%q: the Worker has no durable_objects bindings", which)
	}
	return doTarget{}, fmt.Errorf("%q is neither a durable_objects binding nor a class of one (have: %s)", which, strings.Join(classes, ", "))
}

// CallDurableObject calls fetch or an RPC method of a Durable Object in a
// run of its own: the object is constructed from its persisted storage
// (in-memory fields start afresh each run). RPC results are in
// RunResult.Value; fetch fills Status, Headers and Body.
func CallDurableObject(ctx context.Context, eng *runtime.Engine, spec runtime.WorkerSpec, c DurableObjectCall) (*runtime.RunResult, error) {
	t, err := durableClass(spec, c.Binding)
	if err != nil {
		return nil, err
	}
	id, name := c.ID, c.Name
	switch {
	case id != "":
		if !validID(id) {
			return nil, fmt.Errorf("Durable Object id %q is not 64 hex digits", id)
		}
		id = strings.ToLower(id)
	case name != "":
		id = IDFromName(t.class, name)
	default:
		return nil, errors.New("name the Durable Object (Name) or give its id (ID)")
	}
	call := runtime.ClassCall{Class: t.class, Key: "durable-object:" + t.class + ":" + id, Method: c.Method, Args: c.Args,
		Setup: func(r *runtime.Realm) (runtime.Value, []runtime.Value, error) {
			st, err := newState(r, t.spec, t.class, id, name)
			return st, nil, err
		}}
	if c.Method == "" || c.Method == "fetch" {
		if c.Request == nil {
			return nil, errors.New("give an RPC method or a request for fetch")
		}
		call.Method, call.Request = "fetch", c.Request
	}
	return eng.RunClass(ctx, t.spec, call)
}

// ClassRunner runs calls into a Worker's classes: the engine (a fresh
// interpreter per call) or a dev server's isolate (its live instances).
type ClassRunner interface {
	RunClass(ctx context.Context, spec runtime.WorkerSpec, call runtime.ClassCall) (*runtime.RunResult, error)
}

// AlarmRun is one alarm FireAlarms delivered.
type AlarmRun struct {
	Class, ID, Name string
	ScheduledTime   time.Time
	Result          *runtime.RunResult
}

// FireAlarms calls alarm() of every Durable Object of the Worker whose
// alarm is due at now (all set alarms when all is true), one run each. The
// alarm is cleared before the call, as on Cloudflare (getAlarm() is null
// inside alarm() and setAlarm there schedules the next one); when alarm()
// raises, the alarm is put back so the next FireAlarms retries it.
func FireAlarms(ctx context.Context, eng ClassRunner, spec runtime.WorkerSpec, now time.Time, all bool) ([]AlarmRun, error) {
	var out []AlarmRun
	seen := map[string]bool{}
	for _, b := range spec.Bindings {
		if b.Kind != "durable_objects" && b.Kind != "durable_objects.bindings" {
			continue
		}
		t := resolveTarget(spec, b)
		if t.err != nil || t.class == "" || seen[t.class] {
			continue
		}
		seen[t.class] = true
		files, _ := filepath.Glob(filepath.Join(StateDir(t.spec), "durable_objects", t.class, "*.sqlite"))
		sort.Strings(files)
		for _, f := range files {
			id := strings.TrimSuffix(filepath.Base(f), ".sqlite")
			if !validID(id) {
				continue
			}
			run, err := fireAlarm(ctx, eng, t, id, now, all)
			if err != nil {
				return out, err
			}
			if run != nil {
				out = append(out, *run)
			}
		}
	}
	return out, nil
}

func fireAlarm(ctx context.Context, eng ClassRunner, t doTarget, id string, now time.Time, all bool) (*AlarmRun, error) {
	db, err := openDB(objectPath(t.spec, t.class, id), objectSchema)
	if err != nil {
		return nil, err
	}
	due, ok, err := getAlarm(db)
	if err != nil || !ok || (!all && due.After(now)) {
		return nil, err
	}
	var name string
	_ = db.QueryRow(`SELECT value FROM _cf_meta WHERE key = 'name'`).Scan(&name)
	if _, err := db.Exec(`DELETE FROM _cf_alarm`); err != nil {
		return nil, err
	}
	res, err := eng.RunClass(ctx, t.spec, runtime.ClassCall{Class: t.class, Key: "durable-object:" + t.class + ":" + id, Method: "alarm",
		Setup: func(r *runtime.Realm) (runtime.Value, []runtime.Value, error) {
			st, err := newState(r, t.spec, t.class, id, name)
			info := r.NewPlainObject()
			info.SetProperty("retryCount", float64(0))
			info.SetProperty("isRetry", false)
			return st, []runtime.Value{info}, err
		}})
	if err != nil || res.Error != nil {
		// Put the alarm back unless alarm() scheduled another one.
		_, _ = db.Exec(`INSERT OR IGNORE INTO _cf_alarm(id, time) VALUES (1, ?)`, float64(due.UnixMilli()))
	}
	if err != nil {
		return nil, err
	}
	return &AlarmRun{Class: t.class, ID: id, Name: name, ScheduledTime: due, Result: res}, nil
}

// hibernation is one Durable Object's hibernatable WebSockets, kept for
// the life of the interpreter (Realm.Local), across the instances the object
// goes through as it hibernates and wakes.
type hibernation struct {
	sockets []*acceptedSocket
	// auto is setWebSocketAutoResponse's pair: a message equal to
	// autoRequest is answered with autoResponse without waking the object.
	auto                      runtime.Value
	autoRequest, autoResponse string
	inflight                  int       // webSocket* calls not yet settled
	last                      time.Time // the last event
	asleep                    bool      // the instance was dropped
}

type acceptedSocket struct {
	ws       runtime.Value
	tags     []string
	autoSent time.Time // when an auto-response last answered it
}

// defaultHibernateAfter is how long an idle object with only hibernatable
// sockets stays in memory on Cloudflare.
const defaultHibernateAfter = 10 * time.Second

// acceptWebSockets is the hibernation API of DurableObjectState:
// acceptWebSocket(ws, tags) hands what arrives on ws to the object's
// webSocketMessage(ws, message) and webSocketClose(ws, code, reason,
// wasClean) methods, in arrival order; getWebSockets(tag) lists the open
// sockets, getTags(ws) their tags. With spec.RealTime (the dev server) an
// object idle for HibernateAfter hibernates: its instance is dropped, the
// sockets stay open, and the next message constructs it again (a new
// DurableObjectState, the constructor run) before webSocketMessage.
func acceptWebSockets(r *runtime.Realm, spec runtime.WorkerSpec, st *runtime.Object, class, id, name string) {
	key := "durable-object:" + class + ":" + id
	h := r.Local("hibernation:"+key, func() any { return &hibernation{} }).(*hibernation)
	h.asleep = false
	idle := spec.HibernateAfter
	if idle <= 0 {
		idle = defaultHibernateAfter
	}
	var sleepCheck func()
	sleepCheck = func() {
		if h.asleep || h.inflight > 0 || len(h.sockets) == 0 {
			return
		}
		if wait := idle - time.Since(h.last); wait > 0 {
			r.After(wait, sleepCheck)
			return
		}
		h.asleep = true
		r.Evict(key)
		r.Log("stderr", fmt.Sprintf("[pyworkers] Durable Object %s %s hibernated (idle %s, %d WebSocket(s) open)", class, objectLabel(name, id), idle, len(h.sockets)))
	}
	touch := func() {
		h.last = time.Now()
		if spec.RealTime {
			r.After(idle, sleepCheck)
		}
	}
	call := func(method string, after func(), args ...runtime.Value) {
		h.inflight++
		woke := h.asleep
		done := r.CallClass(runtime.ClassCall{Class: class, Key: key, Method: method,
			Setup: func(r *runtime.Realm) (runtime.Value, []runtime.Value, error) {
				if !woke {
					return nil, args, nil // the instance exists: no constructor call
				}
				// A woken object is constructed again with a new state, as on
				// Cloudflare.
				ctx, err := newState(r, spec, class, id, name)
				return ctx, args, err
			}}, nil)
		if woke {
			r.Log("stderr", fmt.Sprintf("[pyworkers] Durable Object %s %s woke for %s", class, objectLabel(name, id), method))
		}
		settled := func() {
			h.inflight--
			if after != nil {
				after()
			}
			touch()
		}
		r.Await(done, func(runtime.Value) { settled() }, func(e runtime.Value) {
			settled()
			r.Log("stderr", fmt.Sprintf("%s.%s raised: %s", class, method, r.ErrorMessage(e)))
		})
	}
	// Closed sockets leave the list once webSocketClose has run (getTags
	// still knows them there); getWebSockets lists only open ones.
	open := func() []*acceptedSocket {
		var out []*acceptedSocket
		for _, s := range h.sockets {
			if !r.WebSocketClosed(s.ws) {
				out = append(out, s)
			}
		}
		return out
	}
	forget := func(ws runtime.Value) {
		kept := h.sockets[:0]
		for _, s := range h.sockets {
			if s.ws != ws {
				kept = append(kept, s)
			}
		}
		h.sockets = kept
	}
	r.Method(st, "acceptWebSocket", func(a []runtime.Value) (runtime.Value, error) {
		ws := arg(a, 0)
		entry := &acceptedSocket{ws: ws}
		if list, ok := r.ToGo(arg(a, 1)).([]any); ok {
			for _, t := range list {
				if s, ok := t.(string); ok {
					entry.tags = append(entry.tags, s)
				}
			}
		}
		if len(entry.tags) > 10 {
			return nil, runtime.NewRangeError("acceptWebSocket: a WebSocket may have at most 10 tags")
		}
		err := r.AcceptHibernatable(ws, func(data runtime.Value) {
			if text, ok := data.(string); ok && h.auto != nil && text == h.autoRequest {
				r.CallMethod(ws, "send", h.autoResponse)
				entry.autoSent = time.Now()
				return
			}
			call("webSocketMessage", nil, ws, data)
		}, func(code int, reason string) {
			if code == 1006 { // the connection broke: webSocketError first, if the class has it
				if methods, err := r.ClassMethods(class); err == nil && slices.Contains(methods, "webSocketError") {
					call("webSocketError", nil, ws, r.NewError("Error", "WebSocket disconnected without sending Close frame."))
				}
			}
			call("webSocketClose", func() { forget(ws) }, ws, float64(code), reason, code != 1006)
		})
		if err != nil {
			return nil, err
		}
		h.sockets = append(h.sockets, entry)
		touch()
		return runtime.Undefined, nil
	})
	r.Method(st, "getWebSockets", func(a []runtime.Value) (runtime.Value, error) {
		tag, _ := arg(a, 0).(string)
		var out []runtime.Value
		for _, s := range open() {
			if tag == "" || slices.Contains(s.tags, tag) {
				out = append(out, s.ws)
			}
		}
		return r.NewArray(out...), nil
	})
	r.Method(st, "setWebSocketAutoResponse", func(a []runtime.Value) (runtime.Value, error) {
		pair := arg(a, 0)
		if pair == runtime.Undefined || pair == nil {
			h.auto, h.autoRequest, h.autoResponse = nil, "", ""
			return runtime.Undefined, nil
		}
		req, _ := r.Get(pair, "request").(string)
		resp, _ := r.Get(pair, "response").(string)
		if req == "" || len(req) > 2048 || len(resp) > 2048 {
			return nil, runtime.NewRangeError("setWebSocketAutoResponse: request and response must be 1 to 2,048 characters")
		}
		h.auto, h.autoRequest, h.autoResponse = pair, req, resp
		return runtime.Undefined, nil
	})
	r.Method(st, "getWebSocketAutoResponse", func([]runtime.Value) (runtime.Value, error) {
		if h.auto == nil {
			return nil, nil
		}
		return h.auto, nil
	})
	r.Method(st, "getWebSocketAutoResponseTimestamp", func(a []runtime.Value) (runtime.Value, error) {
		for _, s := range h.sockets {
			if s.ws == arg(a, 0) && !s.autoSent.IsZero() {
				return r.NewDate(s.autoSent), nil
			}
		}
		return nil, nil
	})
	r.Method(st, "getTags", func(a []runtime.Value) (runtime.Value, error) {
		for _, s := range h.sockets {
			if s.ws == arg(a, 0) {
				tags := make([]runtime.Value, len(s.tags))
				for i, t := range s.tags {
					tags[i] = t
				}
				return r.NewArray(tags...), nil
			}
		}
		return nil, runtime.NewTypeError("getTags: the WebSocket was not accepted with acceptWebSocket")
	})
}

func objectLabel(name, id string) string {
	if name != "" {
		return name
	}
	return id[:12] + "…"
}
