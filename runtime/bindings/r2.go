package bindings

import (
	"crypto/md5"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// r2Meta is one object's row in r2_objects; the body is the file r2/<bucket>/<file>.
type r2Meta struct {
	key, version, etag, file string
	size, uploadedMs         int64
	httpMeta, customMeta     map[string]any
}

// httpMetadataFields are the R2HTTPMetadata fields and their header names.
var httpMetadataFields = [][2]string{
	{"contentType", "content-type"}, {"contentLanguage", "content-language"},
	{"contentDisposition", "content-disposition"}, {"contentEncoding", "content-encoding"},
	{"cacheControl", "cache-control"}, {"cacheExpiry", "expires"},
}

func (s *Store) r2Dir(bucket string) string {
	return filepath.Join(s.opts.StateDir, "r2", safeName(bucket))
}

// newR2 builds an R2Bucket: bodies in files (written atomically, one file
// per version so readers never see a partial body), metadata in SQLite.
func (s *Store) newR2(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	bucket := ResourceName(b, "bucket_name")
	o := r.NewInstance("R2Bucket")
	async(r, o, "head", func(a args) (runtime.Value, error) {
		key, err := a.str(0, "R2 key")
		if err != nil {
			return nil, err
		}
		m, err := s.r2Get(bucket, key)
		if m == nil || err != nil {
			return nil, err
		}
		return s.r2Object(r, m, nil, true), nil
	})
	async(r, o, "get", func(a args) (runtime.Value, error) {
		key, err := a.str(0, "R2 key")
		if err != nil {
			return nil, err
		}
		m, err := s.r2Get(bucket, key)
		if m == nil || err != nil {
			return nil, err
		}
		data, err := os.ReadFile(filepath.Join(s.r2Dir(bucket), m.file))
		if err != nil {
			return nil, fmt.Errorf("get: reading the local body of %q: %w", key, err)
		}
		rng := a.opts(1)["range"]
		data, rangeObj, err := r2Range(r, data, rng)
		if err != nil {
			return nil, err
		}
		obj := s.r2Object(r, m, data, true)
		if rangeObj != nil {
			obj.SetProperty("range", rangeObj)
		}
		return obj, nil
	})
	asyncPromise(r, o, "put", func(a args) runtime.Value {
		key, err := a.str(0, "R2 key")
		if err != nil {
			return r.Rejected(r.NewError("TypeError", err.Error()))
		}
		opts := a.opts(2)
		put := func(data []byte) (runtime.Value, error) {
			m, err := s.r2Put(bucket, key, data, opts)
			if err != nil {
				return nil, err
			}
			return s.r2Object(r, m, nil, false), nil
		}
		v := a.at(1)
		if r.IsStream(v) {
			return r.ReadAll(v, put)
		}
		var data []byte
		switch x := v.(type) {
		case nil:
		case string:
			data = []byte(x)
		default:
			if v == runtime.Undefined {
				break
			}
			bs, ok := r.Bytes(v)
			if !ok {
				if obj, isObj := v.(*runtime.Object); isObj && obj.Class == "Blob" {
					return r.ReadAll(v, put)
				}
				return r.Rejected(r.NewError("TypeError", "put: the value must be a string, ArrayBuffer, ArrayBufferView, Blob, ReadableStream or null"))
			}
			data = bs
		}
		res, err := put(data)
		if err != nil {
			return r.Rejected(r.ErrorValue(err))
		}
		return r.Resolved(res)
	})
	async(r, o, "delete", func(a args) (runtime.Value, error) {
		var keys []string
		if list, ok := r.ToGo(a.at(0)).([]any); ok {
			for _, k := range list {
				keys = append(keys, fmt.Sprint(k))
			}
		} else {
			k, err := a.str(0, "R2 key")
			if err != nil {
				return nil, err
			}
			keys = []string{k}
		}
		return runtime.Undefined, s.r2Delete(bucket, keys)
	})
	async(r, o, "list", func(a args) (runtime.Value, error) { return s.r2List(r, bucket, a.opts(0)) })
	for _, m := range []string{"createMultipartUpload", "resumeMultipartUpload"} {
		name := m
		async(r, o, name, func(args) (runtime.Value, error) {
			return nil, fmt.Errorf("env.%s.%s: multipart uploads are not simulated locally (use put)", b.Name, name)
		})
	}
	return o
}

func (s *Store) r2Get(bucket, key string) (*r2Meta, error) {
	st, err := s.open()
	if err != nil {
		return nil, err
	}
	m := &r2Meta{key: key}
	var hm, cm string
	err = st.db.QueryRow(`SELECT version, size, etag, uploaded_ms, http_metadata, custom_metadata, file
		FROM r2_objects WHERE bucket = ? AND key = ?`, bucket, key).
		Scan(&m.version, &m.size, &m.etag, &m.uploadedMs, &hm, &cm, &m.file)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m.httpMeta, _ = fromJSONText(hm).(map[string]any)
	m.customMeta, _ = fromJSONText(cm).(map[string]any)
	return m, nil
}

func (s *Store) r2Put(bucket, key string, data []byte, opts map[string]any) (*r2Meta, error) {
	if key == "" || len(key) > 1024 {
		return nil, errors.New("put: the key must be 1 to 1024 bytes")
	}
	sum := md5.Sum(data)
	m := &r2Meta{key: key, version: randomHex(16), etag: hex.EncodeToString(sum[:]),
		size: int64(len(data)), uploadedMs: s.opts.Now().UnixMilli(),
		httpMeta: map[string]any{}, customMeta: map[string]any{}}
	if want := optString(opts, "md5"); want != "" && !strings.EqualFold(want, m.etag) {
		return nil, errors.New("put: The Content-MD5 you specified did not match what we received (10037)")
	}
	if hm, ok := opts["httpMetadata"].(map[string]any); ok {
		for _, f := range httpMetadataFields {
			// Accepts R2HTTPMetadata fields or header names (a Headers object).
			if v, ok := hm[f[0]]; ok && v != nil {
				m.httpMeta[f[0]] = v
			} else if v, ok := hm[f[1]]; ok && v != nil {
				m.httpMeta[f[0]] = v
			}
		}
	}
	if cm, ok := opts["customMetadata"].(map[string]any); ok {
		for k, v := range cm {
			m.customMeta[k] = fmt.Sprint(v)
		}
	}
	m.file = m.version + ".bin"
	dir := s.r2Dir(bucket)
	if err := writeFileAtomic(filepath.Join(dir, m.file), data); err != nil {
		return nil, fmt.Errorf("put: writing the local body: %w", err)
	}
	st, err := s.open()
	if err != nil {
		return nil, err
	}
	tx, err := st.db.Begin()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var old string
	_ = tx.QueryRow(`SELECT file FROM r2_objects WHERE bucket = ? AND key = ?`, bucket, key).Scan(&old)
	if _, err := tx.Exec(`INSERT INTO r2_objects (bucket, key, version, size, etag, uploaded_ms, http_metadata, custom_metadata, file)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET version = excluded.version,
		size = excluded.size, etag = excluded.etag, uploaded_ms = excluded.uploaded_ms,
		http_metadata = excluded.http_metadata, custom_metadata = excluded.custom_metadata, file = excluded.file`,
		bucket, key, m.version, m.size, m.etag, m.uploadedMs, jsonText(m.httpMeta), jsonText(m.customMeta), m.file); err != nil {
		os.Remove(filepath.Join(dir, m.file))
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		os.Remove(filepath.Join(dir, m.file))
		return nil, err
	}
	if old != "" {
		os.Remove(filepath.Join(dir, old))
	}
	return m, nil
}

func (s *Store) r2Delete(bucket string, keys []string) error {
	st, err := s.open()
	if err != nil {
		return err
	}
	tx, err := st.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var files []string
	for _, k := range keys {
		var f string
		if tx.QueryRow(`SELECT file FROM r2_objects WHERE bucket = ? AND key = ?`, bucket, k).Scan(&f) == nil {
			files = append(files, f)
		}
		if _, err := tx.Exec(`DELETE FROM r2_objects WHERE bucket = ? AND key = ?`, bucket, k); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, f := range files {
		os.Remove(filepath.Join(s.r2Dir(bucket), f))
	}
	return nil
}

// r2List lists keys in order; with a delimiter, keys sharing a prefix up
// to the delimiter collapse into delimitedPrefixes. The cursor is the last
// key (or prefix) returned.
func (s *Store) r2List(r *runtime.Realm, bucket string, opts map[string]any) (runtime.Value, error) {
	limit := 1000
	if v, ok := optNumber(opts, "limit"); ok {
		if v < 1 || v > 1000 {
			return nil, errors.New("list: MaxKeys params must be positive integer <= 1000. (10022)")
		}
		limit = int(v)
	}
	prefix, delim := optString(opts, "prefix"), optString(opts, "delimiter")
	after := optString(opts, "startAfter")
	if c := optString(opts, "cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			return nil, errors.New("list: invalid cursor")
		}
		after = string(b)
	}
	include := map[string]bool{}
	if inc, ok := opts["include"].([]any); ok {
		for _, v := range inc {
			include[fmt.Sprint(v)] = true
		}
	}
	st, err := s.open()
	if err != nil {
		return nil, err
	}
	rows, err := st.db.Query(`SELECT key, version, size, etag, uploaded_ms, http_metadata, custom_metadata, file
		FROM r2_objects WHERE bucket = ? AND key > ? AND substr(key, 1, ?) = ? ORDER BY key`,
		bucket, after, len(prefix), prefix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	objects, prefixes := r.NewArray(), r.NewArray()
	seen := map[string]bool{}
	n, last, truncated := 0, "", false
	for rows.Next() {
		m := &r2Meta{}
		var hm, cm string
		if err := rows.Scan(&m.key, &m.version, &m.size, &m.etag, &m.uploadedMs, &hm, &cm, &m.file); err != nil {
			return nil, err
		}
		if delim != "" {
			if i := strings.Index(m.key[len(prefix):], delim); i >= 0 {
				p := m.key[:len(prefix)+i+len(delim)]
				if seen[p] || (after != "" && strings.HasPrefix(after, p)) {
					continue
				}
				if n == limit {
					truncated = true
					break
				}
				seen[p] = true
				r.Push(prefixes, p)
				n++
				// Resume after every key under this prefix.
				last = p + "\U0010FFFF"
				continue
			}
		}
		if n == limit {
			truncated = true
			break
		}
		if include["httpMetadata"] {
			m.httpMeta, _ = fromJSONText(hm).(map[string]any)
		}
		if include["customMetadata"] {
			m.customMeta, _ = fromJSONText(cm).(map[string]any)
		}
		r.Push(objects, s.r2Object(r, m, nil, false))
		n++
		last = m.key
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := r.NewPlainObject()
	out.SetProperty("objects", objects)
	out.SetProperty("delimitedPrefixes", prefixes)
	out.SetProperty("truncated", truncated)
	if truncated {
		out.SetProperty("cursor", base64.RawURLEncoding.EncodeToString([]byte(last)))
	}
	return out, nil
}

// r2Range applies a get() range ({offset, length} or {suffix}).
func r2Range(r *runtime.Realm, data []byte, rng any) ([]byte, *runtime.Object, error) {
	m, ok := rng.(map[string]any)
	if !ok {
		return data, nil, nil
	}
	var off, length int
	if v, ok := optNumber(m, "suffix"); ok {
		off = max(0, len(data)-int(v))
		length = len(data) - off
	} else {
		if v, ok := optNumber(m, "offset"); ok {
			off = int(v)
		}
		if off < 0 || off > len(data) {
			return nil, nil, errors.New("get: The requested range is not satisfiable (10039)")
		}
		length = len(data) - off
		if v, ok := optNumber(m, "length"); ok {
			length = min(int(v), length)
		}
	}
	ro := r.NewPlainObject()
	ro.SetProperty("offset", float64(off))
	ro.SetProperty("length", float64(length))
	return data[off : off+length], ro, nil
}

// r2Object builds an R2Object (head, put, list) or, with a body, an
// R2ObjectBody (get).
func (s *Store) r2Object(r *runtime.Realm, m *r2Meta, data []byte, withBody bool) *runtime.Object {
	class := "R2Object"
	if withBody && data != nil {
		class = "GetResult"
	}
	o := r.NewInstance(class)
	o.SetProperty("key", m.key)
	o.SetProperty("version", m.version)
	o.SetProperty("size", float64(m.size))
	o.SetProperty("etag", m.etag)
	o.SetProperty("httpEtag", `"`+m.etag+`"`)
	o.SetProperty("uploaded", r.NewDateMs(float64(m.uploadedMs)))
	o.SetProperty("storageClass", "Standard")
	hm := r.NewPlainObject()
	for _, f := range httpMetadataFields {
		if v, ok := m.httpMeta[f[0]]; ok {
			hm.SetProperty(f[0], r.FromGo(v))
		}
	}
	o.SetProperty("httpMetadata", hm)
	o.SetProperty("customMetadata", r.FromGoOrdered(nonNil(m.customMeta)))
	sum, _ := hex.DecodeString(m.etag)
	checksums := r.NewPlainObject()
	checksums.SetProperty("md5", r.NewArrayBuffer(sum))
	o.SetProperty("checksums", checksums)
	syncMethod(r, o, "writeHttpMetadata", func(a args) (runtime.Value, error) {
		h := a.at(0)
		for _, f := range httpMetadataFields {
			if v, ok := m.httpMeta[f[0]]; ok {
				r.CallMethod(h, "set", f[1], fmt.Sprint(v))
			}
		}
		return runtime.Undefined, nil
	})
	if class != "GetResult" {
		return o
	}
	used := false
	body := func() ([]byte, error) {
		if used {
			return nil, runtime.NewTypeError("Body has already been used. It can only be used once.")
		}
		used = true
		return data, nil
	}
	o.SetProperty("body", r.NewReadableStream(data))
	o.SetProperty("bodyUsed", false)
	async(r, o, "text", func(args) (runtime.Value, error) {
		b, err := body()
		return string(b), err
	})
	async(r, o, "json", func(args) (runtime.Value, error) {
		b, err := body()
		if err != nil {
			return nil, err
		}
		return r.JSONParse(string(b))
	})
	async(r, o, "arrayBuffer", func(args) (runtime.Value, error) {
		b, err := body()
		return r.NewArrayBuffer(b), err
	})
	async(r, o, "bytes", func(args) (runtime.Value, error) {
		b, err := body()
		return r.NewUint8Array(b), err
	})
	async(r, o, "blob", func(args) (runtime.Value, error) {
		return nil, errors.New("blob() is not simulated locally: use bytes() or arrayBuffer()")
	})
	return o
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
