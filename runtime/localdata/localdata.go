// Package localdata implements the wrangler-style local data commands,
// `pyworkers-lsp d1|kv|r2 ...`, on the same state `run`, `dev` and the
// language server's lenses use (runtime/bindings), so a database seeded or
// migrated here is what the Worker sees.
package localdata

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/bindings"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

const usage = `Usage:
  pyworkers-lsp d1 execute DB (--command SQL | --file FILE) [--json]
  pyworkers-lsp d1 migrations list DB
  pyworkers-lsp d1 migrations apply DB
  pyworkers-lsp kv key put KEY [VALUE | --path FILE] [--binding B] [--ttl SECONDS]
  pyworkers-lsp kv key get KEY [--binding B]
  pyworkers-lsp kv key list [--prefix P] [--binding B]
  pyworkers-lsp kv key delete KEY [--binding B]
  pyworkers-lsp r2 object put BUCKET/KEY --file FILE [--content-type TYPE]
  pyworkers-lsp r2 object get BUCKET/KEY [--file FILE]
  pyworkers-lsp r2 object delete BUCKET/KEY

The local state of the Worker in the current folder (as wrangler's --local).
DB is a D1 binding or database_name; BUCKET an R2 binding or bucket_name;
--binding names a KV binding (needed when the Worker has more than one).
A failing SQL script changes nothing (it runs in one transaction); exit 1.

Common flags: -c/--config PATH, --env NAME, --persist-to DIR (as given to dev)
`

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

type common struct {
	config, env, persistTo string
	local, remote          bool
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "c", "", "")
	fs.StringVar(&c.config, "config", "", "")
	fs.StringVar(&c.env, "env", "", "")
	fs.StringVar(&c.persistTo, "persist-to", "", "")
	fs.BoolVar(&c.local, "local", false, "") // what these commands always do
	fs.BoolVar(&c.remote, "remote", false, "")
}

// parse reads flags anywhere among the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// Main runs `pyworkers-lsp NAME ARGS...` for NAME d1, kv or r2.
func Main(name string, args []string, stdout, stderr io.Writer) int {
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "pyworkers-lsp %s: "+format+"\n", append([]any{name}, a...)...)
		if code == exitUsage {
			fmt.Fprint(stderr, "\n"+usage)
		}
		return code
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	sub := args[0]
	args = args[1:]
	if (name == "d1" && sub == "migrations") || (name == "kv" && sub == "key") || (name == "r2" && sub == "object") {
		if len(args) == 0 {
			return fail(exitUsage, "%s needs a subcommand", sub)
		}
		sub += " " + args[0]
		args = args[1:]
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var c common
	c.register(fs)
	var command, file, binding, prefix, contentType, path string
	var asJSON bool
	var ttl int
	fs.StringVar(&command, "command", "", "")
	fs.StringVar(&file, "file", "", "")
	fs.BoolVar(&asJSON, "json", false, "")
	fs.StringVar(&binding, "binding", "", "")
	fs.StringVar(&prefix, "prefix", "", "")
	fs.StringVar(&contentType, "content-type", "", "")
	fs.StringVar(&path, "path", "", "")
	fs.IntVar(&ttl, "ttl", 0, "")
	pos, err := parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		return fail(exitUsage, "%v", err)
	}
	if c.remote {
		return fail(exitUsage, "--remote is not supported: these commands work on the local state only")
	}
	spec, err := workerspec.Load(c.config, c.env)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	if c.persistTo != "" {
		bindings.PersistTo(spec.ProjectDir, PersistRoot(c.persistTo, spec))
	}
	store := bindings.Open(spec.ProjectDir, spec.Env)
	defer store.Close()
	arg := func(i int) string {
		if i < len(pos) {
			return pos[i]
		}
		return ""
	}
	switch name + " " + sub {
	case "d1 execute":
		db, err := d1Database(spec, arg(0))
		if err != nil {
			return fail(exitUsage, "%v", err)
		}
		if (command == "") == (file == "") {
			return fail(exitUsage, "give one of --command SQL and --file FILE")
		}
		script := command
		if file != "" {
			b, err := os.ReadFile(file)
			if err != nil {
				return fail(exitUsage, "%v", err)
			}
			script = string(b)
		}
		start := time.Now()
		res, err := store.D1Execute(db, script)
		if err != nil {
			return fail(exitFailed, "%s: %v (nothing was changed)", describeSource(file), err)
		}
		printD1(stdout, res, asJSON, time.Since(start))
		return exitOK
	case "d1 migrations list", "d1 migrations apply":
		db, b, err := d1Binding(spec, arg(0))
		if err != nil {
			return fail(exitUsage, "%v", err)
		}
		dir := b.Field("migrations_dir")
		if dir == "" {
			dir = "migrations"
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(spec.ProjectDir, dir)
		}
		table := b.Field("migrations_table")
		if table == "" {
			table = bindings.D1MigrationsTable
		}
		migs, err := store.D1Migrations(db, dir, table)
		if err != nil {
			return fail(exitFailed, "%v", err)
		}
		var todo []bindings.D1Migration
		for _, m := range migs {
			if m.AppliedAt == "" {
				todo = append(todo, m)
			}
		}
		if sub == "migrations list" {
			if len(todo) == 0 {
				fmt.Fprintln(stdout, "✅ No migrations to apply!")
				return exitOK
			}
			fmt.Fprintf(stdout, "Migrations to be applied to %s:\n", db)
			for _, m := range todo {
				fmt.Fprintf(stdout, "  %s\n", m.Name)
			}
			return exitOK
		}
		if len(todo) == 0 {
			fmt.Fprintln(stdout, "✅ No migrations to apply!")
			return exitOK
		}
		for _, m := range todo {
			if err := store.D1ApplyMigration(db, table, m); err != nil {
				return fail(exitFailed, "migration %s failed: %v (it was not applied; later ones were not run)", m.Name, err)
			}
			fmt.Fprintf(stdout, "✅ %s applied\n", m.Name)
		}
		return exitOK
	case "kv key put", "kv key get", "kv key delete", "kv key list":
		ns, err := kvNamespace(spec, binding)
		if err != nil {
			return fail(exitUsage, "%v", err)
		}
		key := arg(0)
		if sub != "key list" && key == "" {
			return fail(exitUsage, "%s needs a KEY", sub)
		}
		switch sub {
		case "key put":
			value := []byte(arg(1))
			if path != "" {
				if value, err = os.ReadFile(path); err != nil {
					return fail(exitUsage, "%v", err)
				}
			} else if len(pos) < 2 {
				return fail(exitUsage, "key put needs a VALUE or --path FILE")
			}
			if err := store.KVPut(ns, key, value, time.Duration(ttl)*time.Second); err != nil {
				return fail(exitFailed, "%v", err)
			}
			fmt.Fprintf(stdout, "Writing the value %q to key %q (local).\n", truncate(string(value)), key)
		case "key get":
			v, ok, err := store.KVGet(ns, key)
			if err != nil {
				return fail(exitFailed, "%v", err)
			}
			if !ok {
				fmt.Fprintln(stderr, "Value not found")
				return exitFailed
			}
			stdout.Write(v)
		case "key delete":
			if err := store.KVDelete(ns, key); err != nil {
				return fail(exitFailed, "%v", err)
			}
			fmt.Fprintf(stdout, "Deleting the key %q (local).\n", key)
		case "key list":
			keys, err := store.KVKeys(ns, prefix)
			if err != nil {
				return fail(exitFailed, "%v", err)
			}
			list := make([]map[string]string, len(keys))
			for i, k := range keys {
				list[i] = map[string]string{"name": k}
			}
			b, _ := json.MarshalIndent(list, "", "  ")
			fmt.Fprintf(stdout, "%s\n", b)
		}
		return exitOK
	case "r2 object put", "r2 object get", "r2 object delete":
		bucket, key, err := r2Object(spec, arg(0))
		if err != nil {
			return fail(exitUsage, "%v", err)
		}
		switch sub {
		case "object put":
			if file == "" {
				return fail(exitUsage, "object put needs --file FILE")
			}
			data, err := os.ReadFile(file)
			if err != nil {
				return fail(exitUsage, "%v", err)
			}
			if err := store.R2PutObject(bucket, key, data, contentType); err != nil {
				return fail(exitFailed, "%v", err)
			}
			fmt.Fprintf(stdout, "Uploaded %s/%s (%d bytes, local).\n", bucket, key, len(data))
		case "object get":
			data, _, ok, err := store.R2GetObject(bucket, key)
			if err != nil {
				return fail(exitFailed, "%v", err)
			}
			if !ok {
				fmt.Fprintf(stderr, "The specified key does not exist: %s/%s\n", bucket, key)
				return exitFailed
			}
			if file != "" {
				if err := os.WriteFile(file, data, 0o644); err != nil {
					return fail(exitFailed, "%v", err)
				}
				fmt.Fprintf(stdout, "Downloaded %s/%s to %s.\n", bucket, key, file)
			} else {
				stdout.Write(data)
			}
		case "object delete":
			if err := store.R2DeleteObject(bucket, key); err != nil {
				return fail(exitFailed, "%v", err)
			}
			fmt.Fprintf(stdout, "Deleted %s/%s (local).\n", bucket, key)
		}
		return exitOK
	}
	return fail(exitUsage, "unknown command %q", sub)
}

// PersistRoot is where --persist-to DIR keeps a Worker's state: DIR/<its
// name> (or its folder's name), for dev and these commands alike.
func PersistRoot(dir string, spec runtime.WorkerSpec) string {
	name := spec.Name
	if name == "" {
		name = filepath.Base(spec.ProjectDir)
	}
	return filepath.Join(dir, name)
}

func describeSource(file string) string {
	if file == "" {
		return "--command"
	}
	return file
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func bindingsOf(spec runtime.WorkerSpec, kind string) []runtime.Binding {
	var out []runtime.Binding
	for _, b := range spec.Bindings {
		if b.Kind == kind {
			out = append(out, b)
		}
	}
	return out
}

func names(bs []runtime.Binding, field string) string {
	var out []string
	for _, b := range bs {
		n := b.Name
		if v := b.Field(field); v != "" {
			n += " (" + v + ")"
		}
		out = append(out, n)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func d1Binding(spec runtime.WorkerSpec, name string) (string, runtime.Binding, error) {
	dbs := bindingsOf(spec, "d1_databases")
	if name == "" {
		return "", runtime.Binding{}, fmt.Errorf("name the database (a D1 binding or database_name; the Worker has: %s)", names(dbs, "database_name"))
	}
	for _, b := range dbs {
		if b.Name == name || b.Field("database_name") == name {
			return bindings.ResourceOf(b), b, nil
		}
	}
	return "", runtime.Binding{}, fmt.Errorf("no D1 database %q in %s (the Worker has: %s)", name, spec.ConfigPath, names(dbs, "database_name"))
}

func d1Database(spec runtime.WorkerSpec, name string) (string, error) {
	db, _, err := d1Binding(spec, name)
	return db, err
}

func kvNamespace(spec runtime.WorkerSpec, binding string) (string, error) {
	kvs := bindingsOf(spec, "kv_namespaces")
	if binding == "" {
		if len(kvs) == 1 {
			return bindings.ResourceOf(kvs[0]), nil
		}
		return "", fmt.Errorf("choose the namespace with --binding (the Worker has: %s)", names(kvs, "id"))
	}
	for _, b := range kvs {
		if b.Name == binding || b.Field("id") == binding {
			return bindings.ResourceOf(b), nil
		}
	}
	return "", fmt.Errorf("no KV binding %q in %s (the Worker has: %s)", binding, spec.ConfigPath, names(kvs, "id"))
}

func r2Object(spec runtime.WorkerSpec, target string) (bucket, key string, err error) {
	name, key, ok := strings.Cut(target, "/")
	if !ok || name == "" || key == "" {
		return "", "", fmt.Errorf("give the object as BUCKET/KEY, got %q", target)
	}
	r2s := bindingsOf(spec, "r2_buckets")
	for _, b := range r2s {
		if b.Name == name || b.Field("bucket_name") == name {
			return bindings.ResourceOf(b), key, nil
		}
	}
	return "", "", fmt.Errorf("no R2 bucket %q in %s (the Worker has: %s)", name, spec.ConfigPath, names(r2s, "bucket_name"))
}

// printD1 prints a script's results: wrangler's JSON shape with --json,
// else a table per statement that returned rows.
// PrintD1 writes a script's results as `d1 execute` prints them: a table
// per statement that returns rows, then a summary (or JSON like wrangler's).
func PrintD1(w io.Writer, res []bindings.D1Statement, asJSON bool, took time.Duration) {
	printD1(w, res, asJSON, took)
}

func printD1(w io.Writer, res []bindings.D1Statement, asJSON bool, took time.Duration) {
	if asJSON {
		out := make([]map[string]any, len(res))
		for i, st := range res {
			rows := make([]map[string]any, len(st.Rows))
			for j, r := range st.Rows {
				row := map[string]any{}
				for k, col := range st.Columns {
					v := r[k]
					if b, ok := v.([]byte); ok {
						v = string(b)
					}
					row[col] = v
				}
				rows[j] = row
			}
			out[i] = map[string]any{"results": rows, "success": true, "meta": map[string]any{
				"changes": st.Changes, "last_row_id": st.LastRowID, "duration": float64(st.Duration.Microseconds()) / 1000}}
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	changes := int64(0)
	for _, st := range res {
		changes += st.Changes
		if len(st.Columns) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(st.Columns, "\t"))
		for _, r := range st.Rows {
			cells := make([]string, len(r))
			for i, v := range r {
				switch x := v.(type) {
				case nil:
					cells[i] = "null"
				case []byte:
					cells[i] = string(x)
				default:
					cells[i] = fmt.Sprint(x)
				}
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "🚣 Executed %d command(s) in %d ms (%d row(s) changed, local)\n", len(res), took.Milliseconds(), changes)
}
