package bindings

import (
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// KV limits Cloudflare enforces, kept so a Worker that works locally does
// not fail in production.
const (
	kvMaxKeyBytes      = 512
	kvMaxMetadataBytes = 1024
	kvMinTTL           = 60
	kvMaxListLimit     = 1000
	kvMaxGetKeys       = 100
)

// newKV builds a KvNamespace; state is kept per namespace id (or binding name).
func (s *Store) newKV(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	ns := ResourceName(b, "id")
	o := r.NewInstance("KvNamespace")
	get := func(a args, withMeta bool) (runtime.Value, error) {
		typ := "text"
		switch t := a.at(1).(type) {
		case string:
			typ = t
		default:
			if m := a.opts(1); m != nil && optString(m, "type") != "" {
				typ = optString(m, "type")
			}
		}
		switch typ {
		case "text", "json", "arrayBuffer", "stream":
		default:
			return nil, fmt.Errorf(`KV GET failed: Unknown response type %q: use "text", "json", "arrayBuffer" or "stream"`, typ)
		}
		if keys, ok := a.r.ToGo(a.at(0)).([]any); ok {
			if typ == "arrayBuffer" || typ == "stream" {
				return nil, fmt.Errorf(`KV GET_BULK failed: "%s" is not a valid type; use "text" or "json"`, typ)
			}
			if len(keys) > kvMaxGetKeys {
				return nil, fmt.Errorf("KV GET_BULK failed: You can request a maximum of %d keys", kvMaxGetKeys)
			}
			names := make([]string, len(keys))
			vals := make([]runtime.Value, len(keys))
			for i, k := range keys {
				names[i] = fmt.Sprint(k)
				v, err := s.kvValue(a.r, ns, names[i], typ, withMeta)
				if err != nil {
					return nil, err
				}
				vals[i] = v
			}
			return a.r.NewMap(names, vals), nil
		}
		key, err := a.str(0, "KV key")
		if err != nil {
			return nil, err
		}
		return s.kvValue(a.r, ns, key, typ, withMeta)
	}
	async(r, o, "get", func(a args) (runtime.Value, error) { return get(a, false) })
	async(r, o, "getWithMetadata", func(a args) (runtime.Value, error) { return get(a, true) })
	asyncPromise(r, o, "put", func(a args) runtime.Value {
		key, err := a.str(0, "KV key")
		if err == nil {
			err = kvCheckKey(key)
		}
		if err != nil {
			return r.Rejected(r.NewError("Error", "KV PUT failed: "+err.Error()))
		}
		opts := a.opts(2)
		put := func(val []byte) (runtime.Value, error) {
			if err := s.kvPut(ns, key, val, opts); err != nil {
				return nil, fmt.Errorf("KV PUT failed: %w", err)
			}
			return runtime.Undefined, nil
		}
		v := a.at(1)
		if r.IsStream(v) {
			return r.ReadAll(v, put)
		}
		var val []byte
		switch x := v.(type) {
		case string:
			val = []byte(x)
		default:
			b, ok := r.Bytes(v)
			if !ok {
				return r.Rejected(r.NewError("TypeError",
					"KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values"))
			}
			val = b
		}
		res, err := put(val)
		if err != nil {
			return r.Rejected(r.ErrorValue(err))
		}
		return r.Resolved(res)
	})
	async(r, o, "delete", func(a args) (runtime.Value, error) {
		key, err := a.str(0, "KV key")
		if err != nil {
			return nil, err
		}
		st, err := s.open()
		if err != nil {
			return nil, err
		}
		_, err = st.db.Exec(`DELETE FROM kv WHERE ns = ? AND key = ?`, ns, key)
		return runtime.Undefined, err
	})
	async(r, o, "list", func(a args) (runtime.Value, error) { return s.kvList(a.r, ns, a.opts(0)) })
	return o
}

func kvCheckKey(key string) error {
	switch {
	case key == "":
		return errors.New("Key names must not be empty")
	case key == "." || key == "..":
		return fmt.Errorf("Illegal key name %q. Please use a different name", key)
	case len(key) > kvMaxKeyBytes:
		return fmt.Errorf("UTF-8 encoded length of %d exceeds key length limit of %d", len(key), kvMaxKeyBytes)
	}
	return nil
}

// kvValue reads one key as the requested type (null when absent/expired).
func (s *Store) kvValue(r *runtime.Realm, ns, key, typ string, withMeta bool) (runtime.Value, error) {
	st, err := s.open()
	if err != nil {
		return nil, err
	}
	var val []byte
	var meta sql.NullString
	now := s.opts.Now().Unix()
	err = st.db.QueryRow(`SELECT value, metadata FROM kv WHERE ns = ? AND key = ? AND (expiration = 0 OR expiration > ?)`,
		ns, key, now).Scan(&val, &meta)
	var out runtime.Value
	switch {
	case errors.Is(err, sql.ErrNoRows):
		out = nil
	case err != nil:
		return nil, err
	default:
		switch typ {
		case "text":
			out = string(val)
		case "json":
			if !utf8.Valid(val) {
				return nil, errors.New("KV GET failed: the value is not valid JSON")
			}
			v, err := r.JSONParse(string(val))
			if err != nil {
				return nil, fmt.Errorf("KV GET failed: Unexpected token in JSON value of %q: %v", key, err)
			}
			out = v
		case "arrayBuffer":
			out = r.NewArrayBuffer(val)
		case "stream":
			out = r.NewReadableStream(val)
		}
	}
	if !withMeta {
		return out, nil
	}
	res := r.NewPlainObject()
	res.SetProperty("value", out)
	var m runtime.Value
	if meta.Valid {
		m, _ = r.JSONParse(meta.String)
	}
	res.SetProperty("metadata", m)
	res.SetProperty("cacheStatus", nil)
	return res, nil
}

func (s *Store) kvPut(ns, key string, val []byte, opts map[string]any) error {
	now := s.opts.Now().Unix()
	var exp int64
	if v, ok := optNumber(opts, "expiration"); ok {
		if int64(v) <= now+kvMinTTL-1 {
			return fmt.Errorf("Invalid expiration of %d. Please specify integer greater than the current number of seconds since the UNIX epoch plus %d", int64(v), kvMinTTL)
		}
		exp = int64(v)
	}
	if v, ok := optNumber(opts, "expirationTtl"); ok {
		if v < kvMinTTL {
			return fmt.Errorf("Invalid expiration_ttl of %d. Expiration TTL must be at least %d", int64(v), kvMinTTL)
		}
		exp = now + int64(v)
	}
	var meta sql.NullString
	if m, ok := opts["metadata"]; ok && m != nil {
		meta = sql.NullString{String: jsonText(m), Valid: true}
		if len(meta.String) > kvMaxMetadataBytes {
			return fmt.Errorf("Serialized metadata of %d bytes exceeds the limit of %d bytes", len(meta.String), kvMaxMetadataBytes)
		}
	}
	st, err := s.open()
	if err != nil {
		return err
	}
	tx, err := st.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO kv (ns, key, value, metadata, expiration) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata, expiration = excluded.expiration`,
		ns, key, val, meta, exp); err != nil {
		return err
	}
	// Expired keys disappear for good (reads already skip them).
	if _, err := tx.Exec(`DELETE FROM kv WHERE ns = ? AND expiration != 0 AND expiration <= ?`, ns, now); err != nil {
		return err
	}
	return tx.Commit()
}

// kvList lists keys in byte order; the cursor is the last key returned.
func (s *Store) kvList(r *runtime.Realm, ns string, opts map[string]any) (runtime.Value, error) {
	limit := kvMaxListLimit
	if v, ok := optNumber(opts, "limit"); ok {
		if v < 1 || v > kvMaxListLimit {
			return nil, fmt.Errorf("KV LIST failed: Invalid key_count_limit of %d. Please specify an integer between 1 and %d", int(v), kvMaxListLimit)
		}
		limit = int(v)
	}
	prefix := optString(opts, "prefix")
	after := ""
	if c := optString(opts, "cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			return nil, errors.New("KV LIST failed: Invalid cursor")
		}
		after = string(b)
	}
	st, err := s.open()
	if err != nil {
		return nil, err
	}
	rows, err := st.db.Query(`SELECT key, metadata, expiration FROM kv
		WHERE ns = ? AND key > ? AND substr(key, 1, ?) = ? AND (expiration = 0 OR expiration > ?)
		ORDER BY key LIMIT ?`, ns, after, len(prefix), prefix, s.opts.Now().Unix(), limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := r.NewArray()
	var n int
	var last string
	complete := true
	for rows.Next() {
		var key string
		var meta sql.NullString
		var exp int64
		if err := rows.Scan(&key, &meta, &exp); err != nil {
			return nil, err
		}
		if n == limit {
			complete = false
			break
		}
		k := r.NewPlainObject()
		k.SetProperty("name", key)
		if exp != 0 {
			k.SetProperty("expiration", float64(exp))
		}
		if meta.Valid {
			m, _ := r.JSONParse(meta.String)
			k.SetProperty("metadata", m)
		}
		r.Push(keys, k)
		n++
		last = key
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	res := r.NewPlainObject()
	res.SetProperty("keys", keys)
	res.SetProperty("list_complete", complete)
	if !complete {
		res.SetProperty("cursor", base64.RawURLEncoding.EncodeToString([]byte(last)))
	}
	res.SetProperty("cacheStatus", nil)
	return res, nil
}
