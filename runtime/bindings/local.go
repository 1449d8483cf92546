package bindings

// Local data operations without a running Worker, for the wrangler-style
// commands (`pyworkers-lsp d1|kv|r2 ...`): the same tables and files the
// bindings use, so `run`, `dev`, the lenses and the commands share state.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// ResourceOf is the local resource name a binding's data is kept under:
// a D1 database's database_name (else database_id), a KV namespace's id,
// an R2 bucket's bucket_name; the binding name when the config has none.
func ResourceOf(b runtime.Binding) string {
	switch b.Kind {
	case "d1_databases":
		return ResourceName(b, "database_name", "database_id")
	case "kv_namespaces":
		return ResourceName(b, "id")
	case "r2_buckets":
		return ResourceName(b, "bucket_name")
	}
	return b.Name
}

// D1Statement is one statement's outcome in D1Execute.
type D1Statement struct {
	SQL       string
	Line      int // where it starts in the script (1-based)
	Columns   []string
	Rows      [][]any
	Changes   int64
	LastRowID int64
	Duration  time.Duration
}

// D1ScriptError is a statement of a script that failed; nothing of the
// script was applied.
type D1ScriptError struct {
	Line      int
	Statement string
	Err       error
}

func (e *D1ScriptError) Error() string {
	return fmt.Sprintf("line %d: %v\n  in: %s", e.Line, e.Err, firstLine(e.Statement))
}

func (e *D1ScriptError) Unwrap() error { return e.Err }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// D1Execute runs a SQL script on the local D1 database db in one
// transaction: every statement's rows and counts, or the first failing
// statement's error with its line (the database unchanged).
func (s *Store) D1Execute(db, script string) ([]D1Statement, error) {
	return s.d1Script(db, script, nil)
}

// d1Script runs script, then after (when set) in the same transaction.
func (s *Store) d1Script(name, script string, after func(*sql.Tx) error) ([]D1Statement, error) {
	conn, err := s.d1DB(name)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var out []D1Statement
	for _, st := range splitSQLLines(script) {
		q, err := d1Exec(ctx, tx, &d1Stmt{sql: st.text})
		if err != nil {
			return nil, &D1ScriptError{Line: st.line, Statement: st.text, Err: d1Error(err)}
		}
		out = append(out, D1Statement{SQL: st.text, Line: st.line, Columns: q.cols, Rows: q.rows,
			Changes: q.changes, LastRowID: q.lastRowID, Duration: q.duration})
	}
	if after != nil {
		if err := after(tx); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, d1Error(err)
	}
	return out, nil
}

// D1MigrationsTable is wrangler's default migrations_table.
const D1MigrationsTable = "d1_migrations"

// D1Migration is one file of a migrations folder.
type D1Migration struct {
	Name      string // the file name, e.g. 0001_create_users.sql
	Path      string
	AppliedAt string // "" when not applied
}

// D1Migrations lists the .sql files of dir in name order with when each
// was applied, from table (wrangler's d1_migrations layout).
func (s *Store) D1Migrations(db, dir, table string) ([]D1Migration, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the migrations folder: %w", err)
	}
	applied := map[string]string{}
	conn, err := s.d1DB(db)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(migrationsSchema(table)); err != nil {
		return nil, d1Error(err)
	}
	rows, err := conn.Query(`SELECT name, applied_at FROM ` + quoteIdent(table))
	if err != nil {
		return nil, d1Error(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, at string
		if err := rows.Scan(&name, &at); err != nil {
			return nil, err
		}
		applied[name] = at
	}
	var out []D1Migration
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		out = append(out, D1Migration{Name: e.Name(), Path: filepath.Join(dir, e.Name()), AppliedAt: applied[e.Name()]})
	}
	return out, rows.Err()
}

// D1ApplyMigration runs one migration file and records it, in one
// transaction.
func (s *Store) D1ApplyMigration(db, table string, m D1Migration) error {
	script, err := os.ReadFile(m.Path)
	if err != nil {
		return err
	}
	_, err = s.d1Script(db, string(script), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO `+quoteIdent(table)+` (name) VALUES (?)`, m.Name)
		return err
	})
	return err
}

func migrationsSchema(table string) string {
	return `CREATE TABLE IF NOT EXISTS ` + quoteIdent(table) + ` (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		name TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

type sqlStatement struct {
	text string
	line int
}

// splitSQLLines splits a script as splitSQL does, with each statement's
// starting line.
func splitSQLLines(script string) []sqlStatement {
	var out []sqlStatement
	pos := 0
	for _, st := range splitSQL(script) {
		line := 1
		// The statement's first token is at or after pos (comments were
		// dropped, so search for its first word).
		word := strings.Fields(st)[0]
		if i := strings.Index(script[pos:], word); i >= 0 {
			line = 1 + strings.Count(script[:pos+i], "\n")
			pos += i + len(word)
		}
		out = append(out, sqlStatement{text: st, line: line})
	}
	return out
}

// KVGet reads a key of namespace ns (ok=false when absent or expired).
func (s *Store) KVGet(ns, key string) (value []byte, ok bool, err error) {
	st, err := s.open()
	if err != nil {
		return nil, false, err
	}
	err = st.db.QueryRow(`SELECT value FROM kv WHERE ns = ? AND key = ? AND (expiration = 0 OR expiration > ?)`,
		ns, key, s.opts.Now().Unix()).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return value, err == nil, err
}

// KVPut writes a key of namespace ns (ttl 0 = no expiry).
func (s *Store) KVPut(ns, key string, value []byte, ttl time.Duration) error {
	opts := map[string]any{}
	if ttl > 0 {
		opts["expirationTtl"] = ttl.Seconds()
	}
	return s.kvPut(ns, key, value, opts)
}

// KVDelete deletes a key of namespace ns.
func (s *Store) KVDelete(ns, key string) error {
	st, err := s.open()
	if err != nil {
		return err
	}
	_, err = st.db.Exec(`DELETE FROM kv WHERE ns = ? AND key = ?`, ns, key)
	return err
}

// KVKeys lists the live keys of namespace ns starting with prefix, in order.
func (s *Store) KVKeys(ns, prefix string) ([]string, error) {
	st, err := s.open()
	if err != nil {
		return nil, err
	}
	rows, err := st.db.Query(`SELECT key FROM kv WHERE ns = ? AND substr(key, 1, ?) = ? AND (expiration = 0 OR expiration > ?) ORDER BY key`,
		ns, len(prefix), prefix, s.opts.Now().Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// R2GetObject reads an object's body (ok=false when absent).
func (s *Store) R2GetObject(bucket, key string) (data []byte, contentType string, ok bool, err error) {
	m, err := s.r2Get(bucket, key)
	if err != nil || m == nil {
		return nil, "", false, err
	}
	data, err = os.ReadFile(filepath.Join(s.r2Dir(bucket), m.file))
	if err != nil {
		return nil, "", false, fmt.Errorf("reading the local body of %s/%s: %w", bucket, key, err)
	}
	ct, _ := m.httpMeta["contentType"].(string)
	return data, ct, true, nil
}

// R2PutObject writes an object ("" contentType = none).
func (s *Store) R2PutObject(bucket, key string, data []byte, contentType string) error {
	opts := map[string]any{}
	if contentType != "" {
		opts["httpMetadata"] = map[string]any{"contentType": contentType}
	}
	_, err := s.r2Put(bucket, key, data, opts)
	return err
}

// R2DeleteObject deletes an object.
func (s *Store) R2DeleteObject(bucket, key string) error { return s.r2Delete(bucket, []string{key}) }
