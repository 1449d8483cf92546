package bindings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// d1Stmt is a prepared statement: SQL plus bound parameters (immutable:
// bind returns a new statement, as in D1).
type d1Stmt struct {
	sql    string
	params []any
}

// d1Error formats an error the way D1 reports it to Workers.
func d1Error(err error) error {
	var de *d1Err
	if errors.As(err, &de) {
		return err
	}
	msg, code := sqliteErrName(err)
	return &d1Err{"D1_ERROR: " + msg + ": " + code}
}

type d1Err struct{ msg string }

func (e *d1Err) Error() string { return e.msg }

// newD1 builds a D1Database on d1/<database_name or binding>.sqlite.
func (s *Store) newD1(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	name := ResourceName(b, "database_name", "database_id")
	stmts := map[*runtime.Object]*d1Stmt{}
	var newStmt func(st *d1Stmt) *runtime.Object
	newStmt = func(st *d1Stmt) *runtime.Object {
		o := r.NewInstance("D1PreparedStatement")
		stmts[o] = st
		syncMethod(r, o, "bind", func(a args) (runtime.Value, error) {
			params := make([]any, len(a.a))
			for i, v := range a.a {
				p, err := d1Param(r, v)
				if err != nil {
					return nil, err
				}
				params[i] = p
			}
			return newStmt(&d1Stmt{sql: st.sql, params: params}), nil
		})
		async(r, o, "first", func(a args) (runtime.Value, error) {
			col := ""
			if a.present(0) {
				c, err := a.str(0, "column")
				if err != nil {
					return nil, err
				}
				col = c
			}
			res, err := s.d1Run(name, []*d1Stmt{st})
			if err != nil {
				return nil, err
			}
			q := res[0]
			if len(q.rows) == 0 {
				return nil, nil
			}
			if col == "" {
				return q.rowObject(r, 0), nil
			}
			for i, c := range q.cols {
				if c == col {
					return d1Value(r, q.rows[0][i]), nil
				}
			}
			return nil, &d1Err{"D1_COLUMN_NOTFOUND: Column not found (" + col + ")"}
		})
		all := func(a args) (runtime.Value, error) {
			res, err := s.d1Run(name, []*d1Stmt{st})
			if err != nil {
				return nil, err
			}
			return res[0].result(r), nil
		}
		async(r, o, "all", all)
		async(r, o, "run", all)
		async(r, o, "raw", func(a args) (runtime.Value, error) {
			res, err := s.d1Run(name, []*d1Stmt{st})
			if err != nil {
				return nil, err
			}
			q := res[0]
			out := r.NewArray()
			if optBool(a.opts(0), "columnNames") {
				names := r.NewArray()
				for _, c := range q.cols {
					r.Push(names, c)
				}
				r.Push(out, names)
			}
			for _, row := range q.rows {
				arr := r.NewArray()
				for _, v := range row {
					r.Push(arr, d1Value(r, v))
				}
				r.Push(out, arr)
			}
			return out, nil
		})
		return o
	}
	db := r.NewInstance("D1Database")
	syncMethod(r, db, "prepare", func(a args) (runtime.Value, error) {
		q, err := a.str(0, "D1 query")
		if err != nil {
			return nil, err
		}
		return newStmt(&d1Stmt{sql: q}), nil
	})
	async(r, db, "batch", func(a args) (runtime.Value, error) {
		items, ok := r.Items(a.at(0))
		var batch []*d1Stmt
		if ok {
			for _, item := range items {
				o, _ := item.(*runtime.Object)
				st, ok := stmts[o]
				if !ok {
					return nil, errors.New("D1_TYPE_ERROR: batch() takes a list of prepared statements (from prepare())")
				}
				batch = append(batch, st)
			}
		}
		if !ok {
			return nil, errors.New("D1_TYPE_ERROR: batch() takes a list of prepared statements")
		}
		res, err := s.d1Run(name, batch)
		if err != nil {
			return nil, err
		}
		out := r.NewArray()
		for _, q := range res {
			r.Push(out, q.result(r))
		}
		return out, nil
	})
	async(r, db, "exec", func(a args) (runtime.Value, error) {
		q, err := a.str(0, "D1 query")
		if err != nil {
			return nil, err
		}
		start := time.Now()
		var batch []*d1Stmt
		for _, part := range splitSQL(q) {
			batch = append(batch, &d1Stmt{sql: part})
		}
		if len(batch) == 0 {
			return nil, &d1Err{"D1_EXEC_ERROR: Error in line 1: : No SQL statements detected."}
		}
		if _, err := s.d1Run(name, batch); err != nil {
			return nil, &d1Err{strings.Replace(err.Error(), "D1_ERROR", "D1_EXEC_ERROR", 1)}
		}
		out := r.NewPlainObject()
		out.SetProperty("count", float64(len(batch)))
		out.SetProperty("duration", float64(time.Since(start).Microseconds())/1000)
		return out, nil
	})
	async(r, db, "dump", func(a args) (runtime.Value, error) {
		return nil, errors.New("D1_DUMP_ERROR: dump() is deprecated and not simulated locally; copy " +
			"the database file under .pyworkers/state instead")
	})
	syncMethod(r, db, "withSession", func(a args) (runtime.Value, error) {
		// Sessions only matter with read replicas: locally the session is the database.
		sess := r.NewInstance("D1DatabaseSession")
		for _, m := range []string{"prepare", "batch"} {
			sess.SetProperty(m, r.Get(db, m))
		}
		syncMethod(r, sess, "getBookmark", func(args) (runtime.Value, error) { return nil, nil })
		return sess, nil
	})
	return db
}

// d1Param converts a bound JS value to a SQLite parameter.
func d1Param(r *runtime.Realm, v runtime.Value) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
		return x, nil
	case string:
		return x, nil
	}
	if b, ok := r.Bytes(v); ok {
		return b, nil
	}
	if v == runtime.Undefined {
		return nil, &d1Err{"D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'"}
	}
	switch x := r.ToGo(v).(type) {
	case []any:
		b := make([]byte, len(x))
		for i, e := range x {
			f, _ := e.(float64)
			b[i] = byte(f)
		}
		return b, nil
	case float64, string, bool, nil:
		return d1Param(r, x)
	}
	return nil, &d1Err{fmt.Sprintf("D1_TYPE_ERROR: Type '%T' not supported for value", v)}
}

// d1Value converts a SQLite value to JS: numbers, strings, null, and blobs
// as arrays of byte values (as D1 returns them).
func d1Value(r *runtime.Realm, v any) runtime.Value {
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
		arr := r.NewArray()
		for _, c := range x {
			r.Push(arr, float64(c))
		}
		return arr
	case bool:
		if x {
			return float64(1)
		}
		return float64(0)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// d1Result is one statement's outcome.
type d1Result struct {
	cols      []string
	rows      [][]any
	changes   int64
	lastRowID int64
	duration  time.Duration
	sizeAfter int64
	written   bool
}

func (q *d1Result) rowObject(r *runtime.Realm, i int) *runtime.Object {
	o := r.NewPlainObject()
	for j, c := range q.cols {
		o.SetProperty(c, d1Value(r, q.rows[i][j]))
	}
	return o
}

func (q *d1Result) result(r *runtime.Realm) *runtime.Object {
	results := r.NewArray()
	for i := range q.rows {
		r.Push(results, q.rowObject(r, i))
	}
	meta := r.NewPlainObject()
	meta.SetProperty("served_by", "pyworkers-lsp-local")
	meta.SetProperty("served_by_region", "local")
	meta.SetProperty("served_by_primary", true)
	meta.SetProperty("duration", float64(q.duration.Microseconds())/1000)
	meta.SetProperty("changes", float64(q.changes))
	meta.SetProperty("last_row_id", float64(q.lastRowID))
	meta.SetProperty("changed_db", q.written)
	meta.SetProperty("size_after", float64(q.sizeAfter))
	meta.SetProperty("rows_read", float64(len(q.rows)))
	meta.SetProperty("rows_written", float64(q.changes))
	out := r.NewPlainObject()
	out.SetProperty("success", true)
	out.SetProperty("meta", meta)
	out.SetProperty("results", results)
	return out
}

// d1Run runs statements in one transaction on one connection: a batch
// either commits whole or rolls back (D1's batch semantics).
func (s *Store) d1Run(name string, stmts []*d1Stmt) ([]*d1Result, error) {
	db, err := s.d1DB(name)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, d1Error(err)
	}
	defer tx.Rollback()
	out := make([]*d1Result, 0, len(stmts))
	for _, st := range stmts {
		q, err := d1Exec(ctx, tx, st)
		if err != nil {
			return nil, d1Error(err)
		}
		out = append(out, q)
	}
	var pages, pageSize int64
	_ = tx.QueryRow("PRAGMA page_count").Scan(&pages)
	_ = tx.QueryRow("PRAGMA page_size").Scan(&pageSize)
	if err := tx.Commit(); err != nil {
		return nil, d1Error(err)
	}
	for _, q := range out {
		q.sizeAfter = pages * pageSize
	}
	return out, nil
}

// d1Exec runs one statement, reading its rows and then its write counts.
func d1Exec(ctx context.Context, tx *sql.Tx, st *d1Stmt) (*d1Result, error) {
	start := time.Now()
	var before int64
	_ = tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&before)
	rows, err := tx.QueryContext(ctx, st.sql, st.params...)
	if err != nil {
		return nil, err
	}
	q := &d1Result{}
	q.cols, err = rows.Columns()
	if err != nil {
		rows.Close()
		return nil, err
	}
	for rows.Next() {
		vals := make([]any, len(q.cols))
		ptrs := make([]any, len(q.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return nil, err
		}
		q.rows = append(q.rows, vals)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var after int64
	_ = tx.QueryRowContext(ctx, "SELECT total_changes(), last_insert_rowid()").Scan(&after, &q.lastRowID)
	q.changes = after - before
	q.written = q.changes > 0
	q.duration = time.Since(start)
	return q, nil
}

// splitSQL splits a script into statements at semicolons outside quotes
// and comments (what exec() runs one by one).
func splitSQL(script string) []string {
	var out []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case quote != 0:
			cur.WriteByte(c)
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
			cur.WriteByte(c)
		case c == '-' && i+1 < len(script) && script[i+1] == '-':
			for i < len(script) && script[i] != '\n' {
				i++
			}
			cur.WriteByte('\n')
		case c == '/' && i+1 < len(script) && script[i+1] == '*':
			end := strings.Index(script[i+2:], "*/")
			if end < 0 {
				i = len(script)
			} else {
				i += end + 3
			}
			cur.WriteByte(' ')
		case c == ';':
			if t := strings.TrimSpace(cur.String()); t != "" {
				out = append(out, t)
			}
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if t := strings.TrimSpace(cur.String()); t != "" {
		out = append(out, t)
	}
	return out
}
