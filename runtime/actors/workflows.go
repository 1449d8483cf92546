package actors

// Workflows: the WorkflowImpl binding, instances, and a local engine that
// runs a WorkflowEntrypoint's run(event, step) with every step's result
// persisted, so a replay (after wait_for_event, resume, a crash) skips the
// steps that completed.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

const workflowSchema = `
CREATE TABLE IF NOT EXISTS instances (workflow TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL,
  params TEXT, output TEXT, error TEXT, waiting_for TEXT, created REAL NOT NULL, updated REAL NOT NULL,
  PRIMARY KEY (workflow, id));
CREATE TABLE IF NOT EXISTS steps (workflow TEXT NOT NULL, instance TEXT NOT NULL, key TEXT NOT NULL,
  kind TEXT NOT NULL, result TEXT, attempts INTEGER NOT NULL DEFAULT 0, finished REAL,
  PRIMARY KEY (workflow, instance, key));
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, workflow TEXT NOT NULL,
  instance TEXT NOT NULL, type TEXT NOT NULL, payload TEXT, sent REAL NOT NULL, consumed_by TEXT);
`

// Instance statuses, as Cloudflare reports them.
const (
	StatusQueued     = "queued"
	StatusRunning    = "running"
	StatusPaused     = "paused"
	StatusErrored    = "errored"
	StatusTerminated = "terminated"
	StatusComplete   = "complete"
	StatusWaiting    = "waiting"
)

// Cloudflare's default step retries: 5 retries, 10 s apart, exponential.
const defaultStepRetries = 5

func workflowDB(spec runtime.WorkerSpec) (*sql.DB, error) {
	return openDB(filepath.Join(StateDir(spec), "workflows.sqlite"), workflowSchema)
}

// workflowDef is one workflows binding.
type workflowDef struct {
	binding, name, class string
	spec                 runtime.WorkerSpec // the Worker defining the class
	local                bool
}

func workflowFrom(spec runtime.WorkerSpec, b runtime.Binding) (workflowDef, error) {
	d := workflowDef{binding: b.Name, name: b.Field("name"), class: b.Field("class_name"), spec: spec, local: true}
	if d.name == "" {
		d.name = b.Name
	}
	if d.class == "" {
		return d, fmt.Errorf("the workflows binding %q has no class_name", b.Name)
	}
	if script := b.Field("script_name"); script != "" && script != spec.Name {
		target, err := FindWorker(spec, script)
		if err != nil {
			return d, err
		}
		d.spec, d.local = target, false
	}
	return d, nil
}

func findWorkflow(spec runtime.WorkerSpec, which string) (workflowDef, error) {
	var have []string
	for _, b := range spec.Bindings {
		if b.Kind != "workflows" {
			continue
		}
		if b.Name == which || b.Field("name") == which || b.Field("class_name") == which {
			return workflowFrom(spec, b)
		}
		have = append(have, b.Name)
	}
	if len(have) == 0 {
		return workflowDef{}, fmt.Errorf("%q: the Worker has no workflows bindings", which)
	}
	return workflowDef{}, fmt.Errorf("%q is not a workflows binding, workflow name or class of this Worker (have: %s)", which, strings.Join(have, ", "))
}

// instanceRow is one instance's stored state.
type instanceRow struct {
	status, params, output, errMsg, waitingFor string
	created                                    time.Time
}

func loadInstance(db *sql.DB, workflow, id string) (*instanceRow, error) {
	var row instanceRow
	var params, output, errMsg, waiting sql.NullString
	var created float64
	err := db.QueryRow(`SELECT status, params, output, error, waiting_for, created FROM instances WHERE workflow = ? AND id = ?`, workflow, id).
		Scan(&row.status, &params, &output, &errMsg, &waiting, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	row.params, row.output, row.errMsg, row.waitingFor = params.String, output.String, errMsg.String, waiting.String
	row.created = time.UnixMilli(int64(created))
	return &row, nil
}

func setStatus(db *sql.DB, workflow, id, status string, output, errMsg, waitingFor *string) error {
	_, err := db.Exec(`UPDATE instances SET status = ?, output = COALESCE(?, output), error = ?, waiting_for = ?, updated = ? WHERE workflow = ? AND id = ?`,
		status, output, errMsg, waitingFor, float64(time.Now().UnixMilli()), workflow, id)
	return err
}

func createInstance(db *sql.DB, workflow, id, params string) error {
	now := float64(time.Now().UnixMilli())
	_, err := db.Exec(`INSERT INTO instances(workflow, id, status, params, created, updated) VALUES (?, ?, ?, ?, ?, ?)`,
		workflow, id, StatusQueued, params, now, now)
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return fmt.Errorf("workflow instance %q already exists", id)
	}
	return err
}

// ---- one execution of run(event, step)

// execution is one pass of an instance's run(): a replay of the steps that
// completed before, then new steps until the end, an error or a halt.
type execution struct {
	def      workflowDef
	db       *sql.DB
	id       string
	counts   map[string]int // step name → occurrences so far (keys of repeated names)
	halted   string         // status the execution stopped at ("" = still going)
	onHalt   func()
	resume   func()   // runs the instance again (a replay), in this realm
	executed []string // steps whose callback ran in this execution
	replayed []string // steps answered from the stored results
}

func (x *execution) stepKey(name string) string {
	x.counts[name]++
	if n := x.counts[name]; n > 1 {
		return fmt.Sprintf("%s#%d", name, n)
	}
	return name
}

func (x *execution) cached(key string) (string, bool) {
	var result sql.NullString
	err := x.db.QueryRow(`SELECT result FROM steps WHERE workflow = ? AND instance = ? AND key = ? AND finished IS NOT NULL`, x.def.name, x.id, key).Scan(&result)
	return result.String, err == nil
}

// stepKind is the kind recorded for a step that has not finished ("" when
// none).
func (x *execution) stepKind(key string) (string, error) {
	var kind string
	err := x.db.QueryRow(`SELECT kind FROM steps WHERE workflow = ? AND instance = ? AND key = ? AND finished IS NULL`, x.def.name, x.id, key).Scan(&kind)
	return kind, err
}

// timeoutWait (real time only) ends a waitForEvent that no event reached
// within its timeout (default 24 hours): the step is marked timed out and
// the instance runs again, so the replay raises at that step, as on
// Cloudflare.
func (x *execution) timeoutWait(r *runtime.Realm, key, typ string, timeout any) {
	d := 24 * time.Hour
	if timeout != nil {
		if v, err := parseWorkflowDuration(timeout); err == nil {
			d = v
		}
	}
	r.After(d, func() {
		row, err := loadInstance(x.db, x.def.name, x.id)
		if err != nil || row == nil || row.status != StatusWaiting || row.waitingFor != typ {
			return // an event came, or the instance was stopped
		}
		if _, err := x.db.Exec(`INSERT INTO steps(workflow, instance, key, kind, attempts) VALUES (?, ?, ?, 'waitForEventTimeout', 1)
			ON CONFLICT(workflow, instance, key) DO UPDATE SET kind = excluded.kind`, x.def.name, x.id, key); err != nil {
			return
		}
		r.Log("stderr", fmt.Sprintf("workflow %s/%s: waitForEvent %q timed out after %s", x.def.name, x.id, key, d))
		if x.resume != nil {
			x.resume()
		}
	})
}

// sleepDuration is how long step.sleep(name, duration) or
// step.sleepUntil(name, timestamp) waits from now.
func sleepDuration(r *runtime.Realm, v runtime.Value, until bool) (time.Duration, error) {
	if !until {
		return parseWorkflowDuration(r.ToGo(v))
	}
	switch t := r.ToGo(v).(type) {
	case float64:
		return time.Until(time.UnixMilli(int64(t))), nil
	case string:
		at, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return 0, fmt.Errorf("sleepUntil: %q is not a timestamp", t)
		}
		return time.Until(at), nil
	}
	if o, ok := v.(*runtime.Object); ok {
		if ms, _, ok := r.Call(r.Get(o, "getTime")); ok {
			if f, ok := ms.(float64); ok {
				return time.Until(time.UnixMilli(int64(f))), nil
			}
		}
	}
	return 0, errors.New("sleepUntil: expected a Date or milliseconds since the epoch")
}

var workflowDurationRe = regexp.MustCompile(`^\s*(\d+(?:\.\d+)?)\s*(millisecond|second|minute|hour|day|week|month|year)s?\s*$`)

// parseWorkflowDuration reads a WorkflowDuration: milliseconds, or a
// string like "10 seconds", "1 minute", "2 hours".
func parseWorkflowDuration(v any) (time.Duration, error) {
	switch d := v.(type) {
	case float64:
		return time.Duration(d * float64(time.Millisecond)), nil
	case string:
		m := workflowDurationRe.FindStringSubmatch(d)
		if m == nil {
			return 0, fmt.Errorf("%q is not a duration (a number of milliseconds, or e.g. \"10 seconds\")", d)
		}
		n, _ := strconv.ParseFloat(m[1], 64)
		unit := map[string]time.Duration{"millisecond": time.Millisecond, "second": time.Second, "minute": time.Minute,
			"hour": time.Hour, "day": 24 * time.Hour, "week": 7 * 24 * time.Hour, "month": 30 * 24 * time.Hour, "year": 365 * 24 * time.Hour}[m[2]]
		return time.Duration(n * float64(unit)), nil
	}
	return 0, fmt.Errorf("expected a duration, got %v", v)
}

func (x *execution) record(key, kind, result string, attempts int) error {
	_, err := x.db.Exec(`INSERT INTO steps(workflow, instance, key, kind, result, attempts, finished) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(workflow, instance, key) DO UPDATE SET result = excluded.result, attempts = excluded.attempts, finished = excluded.finished`,
		x.def.name, x.id, key, kind, result, attempts, float64(time.Now().UnixMilli()))
	return err
}

// halt stops the execution at status (waiting, paused, terminated): the
// Python coroutine stays suspended and is dropped with the interpreter.
func (x *execution) halt(status, waitingFor string) {
	if x.halted != "" {
		return
	}
	x.halted = status
	var w *string
	if waitingFor != "" {
		w = &waitingFor
	}
	_ = setStatus(x.db, x.def.name, x.id, status, nil, nil, w)
	if x.onHalt != nil {
		x.onHalt()
	}
}

// checkControl halts when pause() or terminate() changed the stored status.
func (x *execution) checkControl() bool {
	row, err := loadInstance(x.db, x.def.name, x.id)
	if err != nil || row == nil {
		return false
	}
	if row.status == StatusPaused || row.status == StatusTerminated {
		x.halted = row.status
		if x.onHalt != nil {
			x.onHalt()
		}
		return true
	}
	return false
}

func decodeJSON(r *runtime.Realm, s string) runtime.Value {
	if s == "" {
		return nil
	}
	var g any
	if json.Unmarshal([]byte(s), &g) != nil {
		return nil
	}
	return r.FromGoOrdered(g)
}

func encodeJSON(r *runtime.Realm, v runtime.Value) (string, error) {
	b, err := json.Marshal(r.ToGo(v))
	if err != nil {
		return "", fmt.Errorf("the step's result cannot be stored: %v", err)
	}
	return string(b), nil
}

// retryPolicy reads a step config's retries.
type retryPolicy struct {
	limit   int
	delay   string
	backoff string
}

func policyOf(r *runtime.Realm, config runtime.Value) retryPolicy {
	p := retryPolicy{limit: defaultStepRetries}
	m, _ := r.ToGo(config).(map[string]any)
	if rt, ok := m["retries"].(map[string]any); ok {
		if l, ok := rt["limit"].(float64); ok {
			p.limit = int(l)
		}
		p.delay = fmt.Sprint(rt["delay"])
		p.backoff, _ = rt["backoff"].(string)
	}
	return p
}

// newStep is the JS step object run(event, step) receives (the SDK wraps it).
func (x *execution) newStep(r *runtime.Realm) *runtime.Object {
	step := r.NewInstance("WorkflowStep")
	pending := func() (*runtime.Object, func(runtime.Value), func(runtime.Value)) { return r.NewPromise() }
	r.Method(step, "do", func(a []runtime.Value) (runtime.Value, error) {
		name, _ := arg(a, 0).(string)
		config, callback := arg(a, 1), arg(a, 2)
		if callback == runtime.Undefined {
			config, callback = runtime.Undefined, arg(a, 1)
		}
		key := x.stepKey(name)
		p, resolve, reject := pending()
		if x.halted != "" || x.checkControl() {
			return p, nil // never settles: the execution has stopped
		}
		if result, ok := x.cached(key); ok {
			x.replayed = append(x.replayed, key)
			resolve(decodeJSON(r, result))
			return p, nil
		}
		policy := policyOf(r, config)
		attempt := 0
		var try func()
		try = func() {
			attempt++
			ctxObj := r.NewPlainObject()
			ctxObj.SetProperty("attempt", float64(attempt))
			info := r.NewPlainObject()
			info.SetProperty("name", name)
			info.SetProperty("count", float64(x.counts[name]))
			ctxObj.SetProperty("step", info)
			ctxObj.SetProperty("config", config)
			res, thrown, ok := r.Call(callback, ctxObj)
			fail := func(e runtime.Value) {
				msg := r.ErrorMessage(e)
				r.Log("stderr", fmt.Sprintf("workflow %s/%s: step %q attempt %d failed: %s", x.def.name, x.id, name, attempt, firstLine(msg)))
				if strings.Contains(msg, "NonRetryableError") || attempt > policy.limit {
					_, _ = x.db.Exec(`INSERT INTO steps(workflow, instance, key, kind, attempts) VALUES (?, ?, ?, 'do', ?)
						ON CONFLICT(workflow, instance, key) DO UPDATE SET attempts = excluded.attempts`, x.def.name, x.id, key, attempt)
					reject(e)
					return
				}
				// Retry delays are not waited for locally: the next attempt
				// runs on the next turn of the event loop.
				r.After(0, try)
			}
			if !ok {
				fail(thrown)
				return
			}
			r.Await(res, func(v runtime.Value) {
				enc, err := encodeJSON(r, v)
				if err != nil {
					reject(r.NewError("TypeError", err.Error()))
					return
				}
				if err := x.record(key, "do", enc, attempt); err != nil {
					reject(r.ErrorValue(err))
					return
				}
				x.executed = append(x.executed, key)
				resolve(decodeJSON(r, enc))
			}, fail)
		}
		try()
		return p, nil
	})
	// sleep and sleepUntil complete at once in `run` and the lenses, and
	// take their time with spec.RealTime (the dev server); either way they
	// are recorded as steps, so a replay treats them like Cloudflare does.
	sleep := func(until bool) func(a []runtime.Value) (runtime.Value, error) {
		return func(a []runtime.Value) (runtime.Value, error) {
			name, _ := arg(a, 0).(string)
			key := x.stepKey(name)
			p, resolve, reject := pending()
			if x.halted != "" || x.checkControl() {
				return p, nil
			}
			if _, ok := x.cached(key); ok {
				x.replayed = append(x.replayed, key)
				resolve(runtime.Undefined)
				return p, nil
			}
			var wait time.Duration
			if x.def.spec.RealTime {
				var err error
				if wait, err = sleepDuration(r, arg(a, 1), until); err != nil {
					return nil, err
				}
			}
			done := func() {
				if x.halted != "" || x.checkControl() {
					return
				}
				if err := x.record(key, "sleep", "null", 1); err != nil {
					reject(r.ErrorValue(err))
					return
				}
				x.executed = append(x.executed, key)
				resolve(runtime.Undefined)
			}
			if wait <= 0 {
				done()
			} else {
				r.After(wait, done)
			}
			return p, nil
		}
	}
	r.Method(step, "sleep", sleep(false))
	r.Method(step, "sleepUntil", sleep(true))
	r.Method(step, "waitForEvent", func(a []runtime.Value) (runtime.Value, error) {
		name, _ := arg(a, 0).(string)
		opts, _ := r.ToGo(arg(a, 1)).(map[string]any)
		typ, _ := opts["type"].(string)
		key := x.stepKey(name)
		p, resolve, reject := pending()
		if x.halted != "" || x.checkControl() {
			return p, nil
		}
		if result, ok := x.cached(key); ok {
			x.replayed = append(x.replayed, key)
			resolve(decodeJSON(r, result))
			return p, nil
		}
		var seq int64
		var payload sql.NullString
		var sent float64
		err := x.db.QueryRow(`SELECT seq, payload, sent FROM events WHERE workflow = ? AND instance = ? AND type = ? AND consumed_by IS NULL ORDER BY seq LIMIT 1`,
			x.def.name, x.id, typ).Scan(&seq, &payload, &sent)
		if errors.Is(err, sql.ErrNoRows) {
			if kind, _ := x.stepKind(key); kind == "waitForEventTimeout" {
				msg := fmt.Sprintf("waitForEvent %q timed out waiting for an event of type %q", name, typ)
				reject(r.NewError("Error", msg))
				return p, nil
			}
			x.halt(StatusWaiting, typ)
			if x.def.spec.RealTime {
				x.timeoutWait(r, key, typ, opts["timeout"])
			}
			return p, nil
		}
		if err != nil {
			return nil, err
		}
		var pl any
		_ = json.Unmarshal([]byte(payload.String), &pl)
		event, _ := json.Marshal(map[string]any{"payload": pl, "timestamp": time.UnixMilli(int64(sent)).UTC().Format(time.RFC3339Nano), "type": typ})
		if _, err := x.db.Exec(`UPDATE events SET consumed_by = ? WHERE seq = ?`, key, seq); err != nil {
			return nil, err
		}
		if err := x.record(key, "waitForEvent", string(event), 1); err != nil {
			return nil, err
		}
		x.executed = append(x.executed, key)
		resolve(decodeJSON(r, string(event)))
		return p, nil
	})
	return step
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	lines := strings.Split(s, "\n")
	return lines[len(lines)-1]
}

// runSetup prepares a ClassCall of run(event, step) for the instance.
func (x *execution) classCall(seq int) (runtime.ClassCall, error) {
	row, err := loadInstance(x.db, x.def.name, x.id)
	if err != nil {
		return runtime.ClassCall{}, err
	}
	if row == nil {
		return runtime.ClassCall{}, fmt.Errorf("workflow instance %q not found", x.id)
	}
	if err := setStatus(x.db, x.def.name, x.id, StatusRunning, nil, nil, nil); err != nil {
		return runtime.ClassCall{}, err
	}
	return runtime.ClassCall{Class: x.def.class, Key: fmt.Sprintf("workflow:%s:%s:%d", x.def.name, x.id, seq), Method: "run",
		Setup: func(r *runtime.Realm) (runtime.Value, []runtime.Value, error) {
			event := r.NewPlainObject()
			event.SetProperty("payload", decodeJSON(r, row.params))
			event.SetProperty("timestamp", r.NewDate(row.created))
			event.SetProperty("instanceId", x.id)
			return nil, []runtime.Value{event, x.newStep(r)}, nil
		}}, nil
}

// finished stores the outcome of an execution that was not halted.
func (x *execution) finished(output runtime.Value, r *runtime.Realm, errMsg string) {
	if x.halted != "" {
		return
	}
	if errMsg != "" {
		_ = setStatus(x.db, x.def.name, x.id, StatusErrored, nil, &errMsg, nil)
		return
	}
	enc := "null"
	if r != nil {
		enc, _ = encodeJSON(r, output)
	}
	_ = setStatus(x.db, x.def.name, x.id, StatusComplete, &enc, nil, nil)
}

// ---- the binding

func newWorkflowBinding(r *runtime.Realm, spec runtime.WorkerSpec, b runtime.Binding) *runtime.Object {
	wf := r.NewInstance("WorkflowImpl")
	def, defErr := workflowFrom(spec, b)
	seq := 0
	// start runs (or resumes) an instance within this run: the Workflow's
	// class runs in this interpreter (another Worker's in a nested run) and
	// the run waits for it before it ends, like ctx.waitUntil.
	var start func(db *sql.DB, id string)
	start = func(db *sql.DB, id string) {
		seq++
		x := &execution{def: def, db: db, id: id, counts: map[string]int{}}
		x.resume = func() { start(db, id) }
		if !def.local {
			r.WaitUntil(r.Defer(func() (runtime.Value, error) {
				_, err := runExecution(nestedContext(r.Context()), r.Engine(), x, seq)
				return runtime.Undefined, err
			}))
			return
		}
		call, err := x.classCall(seq)
		if err != nil {
			x.finished(nil, nil, err.Error())
			return
		}
		done, resolve, _ := r.NewPromise()
		x.onHalt = func() { resolve(runtime.Undefined) }
		r.Await(r.CallClass(call, nil), func(v runtime.Value) {
			x.finished(v, r, "")
			resolve(runtime.Undefined)
		}, func(e runtime.Value) {
			x.finished(nil, r, firstLine(r.ErrorMessage(e)))
			resolve(runtime.Undefined)
		})
		r.WaitUntil(done)
	}
	handle := func(db *sql.DB, id string) *runtime.Object {
		inst := r.NewInstance("WorkflowInstance")
		inst.SetProperty("id", id)
		r.AsyncMethod(inst, "status", func([]runtime.Value) (runtime.Value, error) {
			row, err := loadInstance(db, def.name, id)
			if err != nil || row == nil {
				return nil, fmt.Errorf("workflow instance %q not found", id)
			}
			return r.FromGoOrdered(statusObject(row)), nil
		})
		control := func(method string, apply func(row *instanceRow) error) {
			r.AsyncMethod(inst, method, func([]runtime.Value) (runtime.Value, error) {
				row, err := loadInstance(db, def.name, id)
				if err != nil || row == nil {
					return nil, fmt.Errorf("workflow instance %q not found", id)
				}
				return runtime.Undefined, apply(row)
			})
		}
		control("pause", func(row *instanceRow) error {
			if row.status == StatusComplete || row.status == StatusErrored || row.status == StatusTerminated {
				return fmt.Errorf("cannot pause a %s instance", row.status)
			}
			return setStatus(db, def.name, id, StatusPaused, nil, nil, nil)
		})
		control("resume", func(row *instanceRow) error {
			if row.status != StatusPaused {
				return nil
			}
			start(db, id)
			return nil
		})
		control("terminate", func(row *instanceRow) error {
			if row.status == StatusComplete || row.status == StatusErrored {
				return fmt.Errorf("cannot terminate a %s instance", row.status)
			}
			return setStatus(db, def.name, id, StatusTerminated, nil, nil, nil)
		})
		control("restart", func(row *instanceRow) error {
			if err := resetSteps(db, def.name, id); err != nil {
				return err
			}
			start(db, id)
			return nil
		})
		r.AsyncMethod(inst, "sendEvent", func(a []runtime.Value) (runtime.Value, error) {
			ev, _ := r.ToGo(arg(a, 0)).(map[string]any)
			typ, _ := ev["type"].(string)
			if typ == "" {
				return nil, errors.New("sendEvent: expected {type, payload}")
			}
			waiting, err := addEvent(db, def.name, id, typ, ev["payload"])
			if err != nil {
				return nil, err
			}
			if waiting {
				start(db, id)
			}
			return runtime.Undefined, nil
		})
		return inst
	}
	create := func(opts runtime.Value) (*runtime.Object, error) {
		if defErr != nil {
			return nil, defErr
		}
		db, err := workflowDB(def.spec)
		if err != nil {
			return nil, err
		}
		o, _ := r.ToGo(opts).(map[string]any)
		id, _ := o["id"].(string)
		if id == "" {
			id = newUniqueID()[:36]
		}
		params, _ := json.Marshal(o["params"])
		if err := createInstance(db, def.name, id, string(params)); err != nil {
			return nil, err
		}
		start(db, id)
		return handle(db, id), nil
	}
	r.AsyncMethod(wf, "create", func(a []runtime.Value) (runtime.Value, error) { return create(arg(a, 0)) })
	r.AsyncMethod(wf, "createBatch", func(a []runtime.Value) (runtime.Value, error) {
		list, ok := arg(a, 0).(*runtime.Object)
		if !ok {
			return nil, errors.New("createBatch: expected a list of {id?, params?}")
		}
		var out []runtime.Value
		for _, item := range arrayItems(r, list) {
			h, err := create(item)
			if err != nil {
				return nil, err
			}
			out = append(out, h)
		}
		return r.NewArray(out...), nil
	})
	r.AsyncMethod(wf, "get", func(a []runtime.Value) (runtime.Value, error) {
		if defErr != nil {
			return nil, defErr
		}
		id, _ := arg(a, 0).(string)
		db, err := workflowDB(def.spec)
		if err != nil {
			return nil, err
		}
		row, err := loadInstance(db, def.name, id)
		if err != nil {
			return nil, err
		}
		if row == nil {
			return nil, fmt.Errorf("instance.not_found: workflow instance %q not found", id)
		}
		return handle(db, id), nil
	})
	return wf
}

func arrayItems(r *runtime.Realm, a *runtime.Object) []runtime.Value {
	var out []runtime.Value
	n, _ := r.Get(a, "length").(float64)
	for i := 0; i < int(n); i++ {
		out = append(out, r.Get(a, fmt.Sprint(i)))
	}
	return out
}

func statusObject(row *instanceRow) map[string]any {
	m := map[string]any{"status": row.status}
	if row.output != "" {
		var g any
		if json.Unmarshal([]byte(row.output), &g) == nil {
			m["output"] = g
		}
	}
	if row.errMsg != "" {
		m["error"] = map[string]any{"name": "Error", "message": row.errMsg}
	}
	return m
}

func resetSteps(db *sql.DB, workflow, id string) error {
	if _, err := db.Exec(`DELETE FROM steps WHERE workflow = ? AND instance = ?`, workflow, id); err != nil {
		return err
	}
	_, err := db.Exec(`UPDATE events SET consumed_by = NULL WHERE workflow = ? AND instance = ?`, workflow, id)
	if err != nil {
		return err
	}
	return setStatus(db, workflow, id, StatusQueued, nil, nil, nil)
}

// addEvent stores an event; it reports whether the instance waits for one.
func addEvent(db *sql.DB, workflow, id, typ string, payload any) (bool, error) {
	row, err := loadInstance(db, workflow, id)
	if err != nil {
		return false, err
	}
	if row == nil {
		return false, fmt.Errorf("workflow instance %q not found", id)
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return false, err
	}
	if _, err := db.Exec(`INSERT INTO events(workflow, instance, type, payload, sent) VALUES (?, ?, ?, ?, ?)`,
		workflow, id, typ, string(b), float64(time.Now().UnixMilli())); err != nil {
		return false, err
	}
	return row.status == StatusWaiting && (row.waitingFor == "" || row.waitingFor == typ), nil
}

// ---- Go API

// WorkflowResult describes an instance after StartWorkflow or an event.
type WorkflowResult struct {
	Workflow string // the workflow name
	ID       string
	Status   string // queued, running, paused, errored, terminated, complete, waiting
	Output   any    // run()'s return value (complete)
	Error    string // the exception (errored)
	// WaitingFor is the event type a waiting instance needs.
	WaitingFor string
	// Executed and Replayed list the steps whose code ran in this run and
	// the ones answered from stored results.
	Executed, Replayed []string
	Result             *runtime.RunResult // the run; nil when nothing ran
}

// runExecution runs run(event, step) of an instance in a run of its own.
func runExecution(ctx context.Context, eng *runtime.Engine, x *execution, seq int) (*runtime.RunResult, error) {
	call, err := x.classCall(seq)
	if err != nil {
		return nil, err
	}
	inner := call.Setup
	call.Setup = func(r *runtime.Realm) (runtime.Value, []runtime.Value, error) {
		x.onHalt = func() { r.FinishRun(nil) }
		return inner(r)
	}
	res, err := eng.RunClass(ctx, x.def.spec, call)
	if err != nil {
		x.finished(nil, nil, err.Error())
		return nil, err
	}
	if x.halted == "" {
		if res.Error != nil {
			msg := res.Error.Error()
			x.finished(nil, nil, msg)
		} else {
			out, _ := json.Marshal(res.Value)
			s := string(out)
			_ = setStatus(x.db, x.def.name, x.id, StatusComplete, &s, nil, nil)
		}
	}
	return res, nil
}

func resultOf(x *execution, res *runtime.RunResult) (*WorkflowResult, error) {
	row, err := loadInstance(x.db, x.def.name, x.id)
	if err != nil {
		return nil, err
	}
	out := &WorkflowResult{Workflow: x.def.name, ID: x.id, Executed: x.executed, Replayed: x.replayed, Result: res}
	if row != nil {
		out.Status, out.Error, out.WaitingFor = row.status, row.errMsg, row.waitingFor
		if row.output != "" {
			_ = json.Unmarshal([]byte(row.output), &out.Output)
		}
	}
	return out, nil
}

// StartWorkflow creates an instance of a workflow (binding name, workflow
// name or class name) with params (JSON text; "" = null) and id ("" = a new
// one), and runs it until it completes, fails or waits for an event.
func StartWorkflow(ctx context.Context, eng *runtime.Engine, spec runtime.WorkerSpec, workflow, id, paramsJSON string) (*WorkflowResult, error) {
	def, err := findWorkflow(spec, workflow)
	if err != nil {
		return nil, err
	}
	if paramsJSON == "" {
		paramsJSON = "null"
	}
	if !json.Valid([]byte(paramsJSON)) {
		return nil, fmt.Errorf("params: not valid JSON: %s", paramsJSON)
	}
	db, err := workflowDB(def.spec)
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = newUniqueID()[:36]
	}
	if err := createInstance(db, def.name, id, paramsJSON); err != nil {
		return nil, err
	}
	x := &execution{def: def, db: db, id: id, counts: map[string]int{}}
	res, err := runExecution(ctx, eng, x, 0)
	if err != nil {
		return nil, err
	}
	return resultOf(x, res)
}

// findInstance looks an instance id up in the Worker's workflows.
func findInstance(spec runtime.WorkerSpec, id string) (workflowDef, *sql.DB, *instanceRow, error) {
	for _, b := range spec.Bindings {
		if b.Kind != "workflows" {
			continue
		}
		def, err := workflowFrom(spec, b)
		if err != nil {
			continue
		}
		db, err := workflowDB(def.spec)
		if err != nil {
			return def, nil, nil, err
		}
		row, err := loadInstance(db, def.name, id)
		if err != nil {
			return def, nil, nil, err
		}
		if row != nil {
			return def, db, row, nil
		}
	}
	return workflowDef{}, nil, nil, fmt.Errorf("no workflow instance %q in this Worker's local state", id)
}

// SendWorkflowEvent delivers an event (type, payload as JSON text) to an
// instance; when the instance was waiting for it, the instance runs again:
// completed steps are replayed from their stored results and run() goes on.
func SendWorkflowEvent(ctx context.Context, eng *runtime.Engine, spec runtime.WorkerSpec, id, eventType, payloadJSON string) (*WorkflowResult, error) {
	def, db, _, err := findInstance(spec, id)
	if err != nil {
		return nil, err
	}
	if payloadJSON == "" {
		payloadJSON = "null"
	}
	var payload any
	if err := json.Unmarshal([]byte(payloadJSON), &payload); err != nil {
		return nil, fmt.Errorf("event payload: not valid JSON: %v", err)
	}
	waiting, err := addEvent(db, def.name, id, eventType, payload)
	if err != nil {
		return nil, err
	}
	x := &execution{def: def, db: db, id: id, counts: map[string]int{}}
	if !waiting {
		return resultOf(x, nil)
	}
	res, err := runExecution(ctx, eng, x, 0)
	if err != nil {
		return nil, err
	}
	return resultOf(x, res)
}

// WorkflowStatus reports an instance's stored state.
func WorkflowStatus(spec runtime.WorkerSpec, id string) (*WorkflowResult, error) {
	def, db, _, err := findInstance(spec, id)
	if err != nil {
		return nil, err
	}
	return resultOf(&execution{def: def, db: db, id: id}, nil)
}
