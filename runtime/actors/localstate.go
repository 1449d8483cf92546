package actors

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

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

// StateItem is a key, table, object, instance or message of a binding.
type StateItem = bindings.StateItem

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
		case "kv_namespaces", "d1_databases", "r2_buckets", "queues", "queues.producers":
			st.Resource = StorageResource(b)
			var inv bindings.Inventory
			inv, _, err = bindings.Inspect(dir, b.Kind, st.Resource, limit)
			st.Count, st.Items = inv.Count, inv.Items
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
		db, err := bindings.OpenReadOnly(f)
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
			item.Detail = bindings.Counted(keys, "storage key")
			var rows *sql.Rows
			rows, err = db.Query(`SELECT key, value FROM _cf_KV ORDER BY key LIMIT ?`, limit)
			for err == nil && rows.Next() {
				var key string
				var val []byte
				if err = rows.Scan(&key, &val); err == nil {
					item.Children = append(item.Children, StateItem{Name: key, Detail: bindings.Preview(val)})
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
	db, err := bindings.OpenReadOnly(filepath.Join(dir, "workflows.sqlite"))
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
				detail += ", " + bindings.Counted(attempts, "attempt")
			}
			st.Items[i].Children = append(st.Items[i].Children, StateItem{Name: key, Detail: detail})
		}
		steps.Close()
	}
	return nil
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
			return bindings.Open(spec.ProjectDir, spec.Env).KVDelete(StorageResource(b), name)
		case "r2_buckets":
			return bindings.Open(spec.ProjectDir, spec.Env).R2DeleteObject(StorageResource(b), name)
		case "queues", "queues.producers":
			return bindings.Open(spec.ProjectDir, spec.Env).QueueAck(StorageResource(b), []string{name})
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

// StorageResource is the name package bindings keeps a storage binding's
// state under (its newKV, newD1, newR2 and queue producer choose the same).
func StorageResource(b runtime.Binding) string {
	switch b.Kind {
	case "kv_namespaces":
		return bindings.ResourceName(b, "id")
	case "d1_databases":
		return bindings.ResourceName(b, "database_name", "database_id")
	case "r2_buckets":
		return bindings.ResourceName(b, "bucket_name")
	}
	return bindings.ResourceName(b, "queue")
}
