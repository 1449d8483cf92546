package bindings

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// state holds the open databases of a Store.
type state struct {
	db  *sql.DB // state.sqlite: kv, queue_messages, r2_objects, vectors, vector_indexes
	d1  map[string]*sql.DB
	d1M sync.Mutex
}

const stateSchema = `
CREATE TABLE IF NOT EXISTS kv (
	ns TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
	metadata TEXT, expiration INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (ns, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS queue_messages (
	seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, queue TEXT NOT NULL,
	body BLOB NOT NULL, content_type TEXT NOT NULL, created_ms INTEGER NOT NULL,
	visible_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS queue_due ON queue_messages (queue, visible_ms);
CREATE TABLE IF NOT EXISTS r2_objects (
	bucket TEXT NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL, size INTEGER NOT NULL,
	etag TEXT NOT NULL, uploaded_ms INTEGER NOT NULL, http_metadata TEXT NOT NULL,
	custom_metadata TEXT NOT NULL, file TEXT NOT NULL,
	PRIMARY KEY (bucket, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vector_indexes (
	idx TEXT PRIMARY KEY, dimensions INTEGER NOT NULL, metric TEXT NOT NULL,
	mutations INTEGER NOT NULL DEFAULT 0, updated_ms INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS vectors (
	idx TEXT NOT NULL, id TEXT NOT NULL, namespace TEXT NOT NULL DEFAULT '',
	vals TEXT NOT NULL, metadata TEXT, PRIMARY KEY (idx, id)) WITHOUT ROWID;
`

// openSQLite opens a database file for concurrent use by several processes:
// WAL, a busy timeout instead of SQLITE_BUSY, and write transactions that
// take the write lock up front (no deadlocked upgrades).
func openSQLite(path string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// open returns the Store's state, creating the folder, .gitignore and
// schema on first use.
func (s *Store) open() (*state, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st != nil {
		return s.st, nil
	}
	if s.opts.StateDir == "" {
		return nil, errors.New("pyworkers bindings: no state folder configured")
	}
	if err := os.MkdirAll(s.opts.StateDir, 0o755); err != nil {
		return nil, err
	}
	writeGitignore(s.opts.StateDir)
	db, err := openSQLite(filepath.Join(s.opts.StateDir, "state.sqlite"))
	if err != nil {
		return nil, fmt.Errorf("opening the local state in %s: %w", s.opts.StateDir, err)
	}
	if _, err := db.Exec(stateSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the local state in %s: %w", s.opts.StateDir, err)
	}
	s.st = &state{db: db, d1: map[string]*sql.DB{}}
	return s.st, nil
}

// writeGitignore puts a `*` .gitignore in the .pyworkers folder above the
// state (<worker>/.pyworkers/state/<env>), so the state is never committed.
func writeGitignore(stateDir string) {
	root := filepath.Dir(filepath.Dir(stateDir))
	if filepath.Base(root) != ".pyworkers" {
		root = stateDir
	}
	p := filepath.Join(root, ".gitignore")
	if _, err := os.Stat(p); err == nil {
		return
	}
	_ = writeFileAtomic(p, []byte("# local state of pyworkers-lsp (simulated bindings); safe to delete\n*\n"))
}

// d1DB returns the SQLite database of a D1 binding: d1/<name>.sqlite.
func (s *Store) d1DB(name string) (*sql.DB, error) {
	st, err := s.open()
	if err != nil {
		return nil, err
	}
	st.d1M.Lock()
	defer st.d1M.Unlock()
	if db, ok := st.d1[name]; ok {
		return db, nil
	}
	db, err := openSQLite(filepath.Join(s.opts.StateDir, "d1", safeName(name)+".sqlite"))
	if err != nil {
		return nil, fmt.Errorf("opening the local D1 database %q: %w", name, err)
	}
	st.d1[name] = db
	return db, nil
}

func (st *state) close() error {
	err := st.db.Close()
	st.d1M.Lock()
	defer st.d1M.Unlock()
	for _, db := range st.d1 {
		err = errors.Join(err, db.Close())
	}
	st.d1 = nil
	return err
}

// safeName makes a binding or resource name usable as a file name.
func safeName(name string) string {
	var b strings.Builder
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || strings.Trim(b.String(), ".") == "" {
		return "_"
	}
	return b.String()
}

// writeFileAtomic writes through a temp file in the same folder and renames
// it into place, so readers see the old or the new content, never a part.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// sqliteErrName names a SQLite result code the way D1 messages do.
func sqliteErrName(err error) (msg, code string) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err.Error(), "SQLITE_ERROR"
	}
	msg = se.Error()
	// modernc formats "<generic text>: <detail> (<code>)": keep the detail.
	if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") {
		msg = msg[:i]
	}
	if i := strings.Index(msg, ": "); i > 0 {
		msg = msg[i+2:]
	}
	names := map[int]string{1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT",
		5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT",
		10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 13: "SQLITE_FULL", 17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG",
		19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE", 25: "SQLITE_RANGE"}
	code = names[se.Code()&0xff]
	if code == "" {
		code = "SQLITE_ERROR"
	}
	return msg, code
}
