package actors

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/bindings"
)

// BindingState is what one binding of the config holds in the local state:
// KV keys and values, D1 tables and their row counts, R2 objects, Durable
// Object instances and their storage keys, workflow instances and their
// steps, queue messages waiting for the consumer.
type BindingState struct {
	Binding  string `json:"binding"`
	Kind     string `json:"kind"`     // the wrangler config key: kv_namespaces, d1_databases, ...
	Resource string `json:"resource"` // what the state is kept under: namespace id, database, bucket, class, workflow, queue
	// Count is the number of keys, tables, objects, instances or messages;
	// Items lists at most the limit asked for.
	Count int         `json:"count"`
	Items []StateItem `json:"items"`
}

// StateItem is a key, table, object, instance or message. ID is what
// DeleteLocalState takes when Name is only a display name (a Durable Object
// instance: "shared (<id>)").
type StateItem struct {
	Name     string      `json:"name"`
	ID       string      `json:"id,omitempty"`
	Detail   string      `json:"detail,omitempty"`
	Children []StateItem `json:"children,omitempty"`
}

// previewBytes is how much of a value a listing shows.
const previewBytes = 120

// LocalState reads the local state of spec's Worker and environment for
// every binding of the config that keeps state, at most limit items each
// (and limit children per item). It only reads: nothing is created, and a
// binding without state yet has Count 0.
func LocalState(spec runtime.WorkerSpec, limit int) ([]BindingState, error) {
	dir := StateDir(spec)
	var out []BindingState
	var errs []error
	for _, b := range spec.Bindings {
		st := BindingState{Binding: b.Name, Kind: b.Kind, Items: []StateItem{}}
		var err error
		switch b.Kind {
		case "kv_namespaces":
			st.Resource = bindings.ResourceName(b, "id")
			err = readKV(dir, st.Resource, limit, &st)
		case "d1_databases":
			st.Resource = bindings.ResourceName(b, "database_name", "database_id")
			err = readD1(dir, st.Resource, limit, &st)
		case "r2_buckets":
			st.Resource = bindings.ResourceName(b, "bucket_name")
			err = readR2(dir, st.Resource, limit, &st)
		case "queues", "queues.producers":
			st.Resource = bindings.ResourceName(b, "queue")
			err = readQueue(dir, st.Resource, limit, &st)
		case "durable_objects", "durable_objects.bindings":
			st.Resource = b.Field("class_name")
			err = readDurableObjects(dir, st.Resource, limit, &st)
		case "workflows":
			st.Resource = bindings.ResourceName(b, "name")
			err = readWorkflows(dir, st.Resource, limit, &st)
		default:
			continue // no local state (vars, secrets, services, ...)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", b.Name, err))
		}
		out = append(out, st)
	}
	return out, errors.Join(errs...)
}

// openReadOnly opens an existing SQLite file for reading; nil, nil when the
// file does not exist yet.
func openReadOnly(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// preview is a value as a listing shows it: text up to previewBytes, else
// its size.
func preview(v []byte) string {
	if !utf8.Valid(v) {
		return fmt.Sprintf("%d bytes (binary)", len(v))
	}
	s := strings.Join(strings.Fields(string(v)), " ")
	if len(s) > previewBytes {
		cut := previewBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func readKV(dir, ns string, limit int, st *BindingState) error {
	db, err := openReadOnly(filepath.Join(dir, "state.sqlite"))
	if db == nil || err != nil {
		return err
	}
	defer db.Close()
	now := time.Now().UnixMilli()
	live := `ns = ? AND (expiration = 0 OR expiration > ?)`
	if err := db.QueryRow(`SELECT count(*) FROM kv WHERE `+live, ns, now).Scan(&st.Count); err != nil {
		return err
	}
	rows, err := db.Query(`SELECT key, value FROM kv WHERE `+live+` ORDER BY key LIMIT ?`, ns, now, limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var val []byte
		if err := rows.Scan(&key, &val); err != nil {
			return err
		}
		st.Items = append(st.Items, StateItem{Name: key, Detail: preview(val)})
	}
	return rows.Err()
}

func readD1(dir, database string, limit int, st *BindingState) error {
	db, err := openReadOnly(filepath.Join(dir, "d1", bindings.SafeName(database)+".sqlite"))
	if db == nil || err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	st.Count = len(tables)
	for i, t := range tables {
		if i == limit {
			break
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "` + strings.ReplaceAll(t, `"`, `""`) + `"`).Scan(&n); err != nil {
			return err
		}
		st.Items = append(st.Items, StateItem{Name: t, Detail: plural(n, "row")})
	}
	return nil
}

func readR2(dir, bucket string, limit int, st *BindingState) error {
	db, err := openReadOnly(filepath.Join(dir, "state.sqlite"))
	if db == nil || err != nil {
		return err
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM r2_objects WHERE bucket = ?`, bucket).Scan(&st.Count); err != nil {
		return err
	}
	rows, err := db.Query(`SELECT key, size, http_metadata FROM r2_objects WHERE bucket = ? ORDER BY key LIMIT ?`, bucket, limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key, meta string
		var size int64
		if err := rows.Scan(&key, &size, &meta); err != nil {
			return err
		}
		st.Items = append(st.Items, StateItem{Name: key, Detail: plural(int(size), "byte")})
	}
	return rows.Err()
}

func readQueue(dir, queue string, limit int, st *BindingState) error {
	db, err := openReadOnly(filepath.Join(dir, "state.sqlite"))
	if db == nil || err != nil {
		return err
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM queue_messages WHERE queue = ?`, queue).Scan(&st.Count); err != nil {
		return err
	}
	rows, err := db.Query(`SELECT id, body, attempts FROM queue_messages WHERE queue = ? ORDER BY seq LIMIT ?`, queue, limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var body []byte
		var attempts int
		if err := rows.Scan(&id, &body, &attempts); err != nil {
			return err
		}
		detail := preview(body)
		if attempts > 0 {
			detail += fmt.Sprintf(" (%s)", plural(attempts, "attempt"))
		}
		st.Items = append(st.Items, StateItem{Name: id, Detail: detail})
	}
	return rows.Err()
}

func readDurableObjects(dir, class string, limit int, st *BindingState) error {
	if class == "" {
		return nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "durable_objects", class, "*.sqlite"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	st.Count = len(files)
	for i, f := range files {
		if i == limit {
			break
		}
		id := strings.TrimSuffix(filepath.Base(f), ".sqlite")
		item := StateItem{Name: id, ID: id}
		db, err := openReadOnly(f)
		if err != nil {
			return err
		}
		var keys int
		err = db.QueryRow(`SELECT count(*) FROM _cf_KV`).Scan(&keys)
		if err == nil {
			var name sql.NullString
			db.QueryRow(`SELECT value FROM _cf_meta WHERE key = 'name'`).Scan(&name)
			if name.Valid && name.String != "" {
				item.Name = name.String + " (" + item.Name + ")"
			}
			item.Detail = plural(keys, "storage key")
			var rows *sql.Rows
			rows, err = db.Query(`SELECT key, value FROM _cf_KV ORDER BY key LIMIT ?`, limit)
			for err == nil && rows.Next() {
				var key string
				var val []byte
				if err = rows.Scan(&key, &val); err == nil {
					item.Children = append(item.Children, StateItem{Name: key, Detail: preview(val)})
				}
			}
			if rows != nil {
				rows.Close()
			}
		}
		db.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
		st.Items = append(st.Items, item)
	}
	return nil
}

func readWorkflows(dir, workflow string, limit int, st *BindingState) error {
	db, err := openReadOnly(filepath.Join(dir, "workflows.sqlite"))
	if db == nil || err != nil {
		return err
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM instances WHERE workflow = ?`, workflow).Scan(&st.Count); err != nil {
		return err
	}
	rows, err := db.Query(`SELECT id, status, coalesce(waiting_for, '') FROM instances WHERE workflow = ? ORDER BY created DESC LIMIT ?`, workflow, limit)
	if err != nil {
		return err
	}
	for rows.Next() {
		var item StateItem
		var waiting string
		if err := rows.Scan(&item.Name, &item.Detail, &waiting); err != nil {
			rows.Close()
			return err
		}
		if waiting != "" {
			item.Detail += " for event " + waiting
		}
		st.Items = append(st.Items, item)
	}
	rows.Close()
	for i := range st.Items {
		steps, err := db.Query(`SELECT key, kind, attempts, finished IS NOT NULL FROM steps WHERE workflow = ? AND instance = ? ORDER BY rowid LIMIT ?`, workflow, st.Items[i].Name, limit)
		if err != nil {
			return err
		}
		for steps.Next() {
			var key, kind string
			var attempts int
			var done bool
			if err := steps.Scan(&key, &kind, &attempts, &done); err != nil {
				steps.Close()
				return err
			}
			detail := kind
			if done {
				detail += ", done"
			}
			if attempts > 1 {
				detail += ", " + plural(attempts, "attempt")
			}
			st.Items[i].Children = append(st.Items[i].Children, StateItem{Name: key, Detail: detail})
		}
		steps.Close()
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// DeleteLocalState removes one item of a binding from the local state: a KV
// key, an R2 object, a queue message, a Durable Object instance (all its
// storage) or a workflow instance (with its steps and events). D1 tables
// are left to SQL.
func DeleteLocalState(spec runtime.WorkerSpec, binding, name string) error {
	for _, b := range spec.Bindings {
		if b.Name != binding {
			continue
		}
		switch b.Kind {
		case "kv_namespaces":
			return bindings.Open(spec.ProjectDir, spec.Env).Delete(b.Kind, bindings.ResourceName(b, "id"), name)
		case "r2_buckets":
			return bindings.Open(spec.ProjectDir, spec.Env).Delete(b.Kind, bindings.ResourceName(b, "bucket_name"), name)
		case "queues", "queues.producers":
			return bindings.Open(spec.ProjectDir, spec.Env).Delete(b.Kind, bindings.ResourceName(b, "queue"), name)
		case "durable_objects", "durable_objects.bindings":
			class := b.Field("class_name")
			if class == "" || name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
				return fmt.Errorf("no Durable Object instance %q", name)
			}
			path := filepath.Join(StateDir(spec), "durable_objects", class, name+".sqlite")
			if _, err := os.Stat(path); err != nil {
				return fmt.Errorf("no Durable Object instance %q of %s", name, class)
			}
			closeDBsUnder(filepath.Dir(path))
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
			}
			return nil
		case "workflows":
			db, err := workflowDB(spec)
			if err != nil {
				return err
			}
			workflow := bindings.ResourceName(b, "name")
			tx, err := db.Begin()
			if err != nil {
				return err
			}
			defer tx.Rollback()
			for _, q := range []string{`DELETE FROM instances WHERE workflow = ? AND id = ?`, `DELETE FROM steps WHERE workflow = ? AND instance = ?`, `DELETE FROM events WHERE workflow = ? AND instance = ?`} {
				if _, err := tx.Exec(q, workflow, name); err != nil {
					return err
				}
			}
			return tx.Commit()
		}
		return fmt.Errorf("%s (%s) items cannot be deleted one by one", binding, b.Kind)
	}
	return fmt.Errorf("no binding %s in the config", binding)
}
