package bindings

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Reading the local state for people (the editors' Bindings view): what a
// KV namespace, D1 database, R2 bucket or queue holds, read-only (nothing is
// created for a binding that has no state yet).

// StateItem is a key, table, object, instance or message. ID is what a
// delete takes when Name is only a display name (a Durable Object
// instance: "shared (<id>)").
type StateItem struct {
	Name     string      `json:"name"`
	ID       string      `json:"id,omitempty"`
	Detail   string      `json:"detail,omitempty"`
	Children []StateItem `json:"children,omitempty"`
}

// Inventory is a binding's count of keys, tables, objects or messages and
// the first of them.
type Inventory struct {
	Count int
	Items []StateItem
}

// Inspect reads what the storage binding of kind keeps under resource in
// stateDir, at most limit items; ok is false for kinds this package does
// not keep (Durable Objects and workflows belong to package actors).
func Inspect(stateDir, kind, resource string, limit int) (inv Inventory, ok bool, err error) {
	inv.Items = []StateItem{}
	switch kind {
	case "kv_namespaces":
		err = readKV(stateDir, resource, limit, &inv)
	case "d1_databases":
		err = readD1(stateDir, resource, limit, &inv)
	case "r2_buckets":
		err = readR2(stateDir, resource, limit, &inv)
	case "queues", "queues.producers":
		err = readQueue(stateDir, resource, limit, &inv)
	default:
		return inv, false, nil
	}
	return inv, true, err
}

// Counted is "1 key", "3 keys".
func Counted(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// previewBytes is how much of a value a listing shows.
const previewBytes = 120

// OpenReadOnly opens an existing SQLite file for reading; nil, nil when the
// file does not exist yet.
func OpenReadOnly(path string) (*sql.DB, error) {
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

// Preview is a value as a listing shows it: text up to previewBytes, else
// its size.
func Preview(v []byte) string {
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

func readKV(dir, ns string, limit int, inv *Inventory) error {
	db, err := OpenReadOnly(filepath.Join(dir, "state.sqlite"))
	if db == nil || err != nil {
		return err
	}
	defer db.Close()
	now := time.Now().Unix() // expiration is in seconds, as kvPut writes it
	live := `ns = ? AND (expiration = 0 OR expiration > ?)`
	if err := db.QueryRow(`SELECT count(*) FROM kv WHERE `+live, ns, now).Scan(&inv.Count); err != nil {
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
		inv.Items = append(inv.Items, StateItem{Name: key, Detail: Preview(val)})
	}
	return rows.Err()
}

func readD1(dir, database string, limit int, inv *Inventory) error {
	db, err := OpenReadOnly(filepath.Join(dir, "d1", safeName(database)+".sqlite"))
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
	inv.Count = len(tables)
	for i, t := range tables {
		if i == limit {
			break
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "` + strings.ReplaceAll(t, `"`, `""`) + `"`).Scan(&n); err != nil {
			return err
		}
		inv.Items = append(inv.Items, StateItem{Name: t, Detail: Counted(n, "row")})
	}
	return nil
}

func readR2(dir, bucket string, limit int, inv *Inventory) error {
	db, err := OpenReadOnly(filepath.Join(dir, "state.sqlite"))
	if db == nil || err != nil {
		return err
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM r2_objects WHERE bucket = ?`, bucket).Scan(&inv.Count); err != nil {
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
		inv.Items = append(inv.Items, StateItem{Name: key, Detail: Counted(int(size), "byte")})
	}
	return rows.Err()
}

func readQueue(dir, queue string, limit int, inv *Inventory) error {
	db, err := OpenReadOnly(filepath.Join(dir, "state.sqlite"))
	if db == nil || err != nil {
		return err
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM queue_messages WHERE queue = ?`, queue).Scan(&inv.Count); err != nil {
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
		detail := Preview(body)
		if attempts > 0 {
			detail += fmt.Sprintf(" (%s)", Counted(attempts, "attempt"))
		}
		inv.Items = append(inv.Items, StateItem{Name: id, Detail: detail})
	}
	return rows.Err()
}
