package completion

import (
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/catalog"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
)

// Entrypoint base classes of the SDK.
const (
	baseWorker   = "WorkerEntrypoint"
	baseDO       = "DurableObject"
	baseWorkflow = "WorkflowEntrypoint"
)

type valueKind int

const (
	vEnv     valueKind = iota + 1 // the Worker's env (bindings)
	vSelf                         // self in an entrypoint class
	vWorkers                      // the workers module
	vObject                       // a runtime object with catalog members
	vMethod                       // a member not called yet
)

// value is what an expression evaluates to, as far as Workers knowledge
// goes. A nil *value means "unknown": nothing is offered.
type value struct {
	kind      valueKind
	selfKind  string             // vSelf: baseWorker, baseDO or baseWorkflow
	iface     *catalog.Interface // vObject; nil for a plain value (a var, a secret)
	elem      *catalog.Interface // vObject holding a list of iface-typed items
	binding   *project.Binding   // the binding the value is, or came from
	rpc       *rpcClass          // RPC methods next to iface's (stub, service)
	awaitable bool               // an async call's result, not awaited yet

	member    *catalog.Member // vMethod of a catalog interface
	rpcMethod *pyMethod       // vMethod of an RPC class
	recv      *value          // vMethod: its receiver
}

func objectOf(ifaceName string) *value {
	iface, ok := catalog.Lookup(ifaceName)
	if !ok {
		return nil
	}
	return &value{kind: vObject, iface: iface}
}

// resolver evaluates chains in one document of a request.
type resolver struct {
	req   *Request
	doc   *pyDoc
	depth int // guards alias chains (x = y; y = x)
}

func newResolver(req *Request, doc *pyDoc) *resolver { return &resolver{req: req, doc: doc} }

const maxAliasDepth = 8

func (r *resolver) eval(c *chain) *value {
	if c == nil {
		return nil
	}
	var v *value
	if c.inner != nil {
		v = r.eval(c.inner)
	} else {
		v = r.resolveName(c.root, c.rootPos)
	}
	for _, o := range c.ops {
		if v == nil {
			return nil
		}
		v = r.apply(v, o)
	}
	if c.awaited && v != nil && v.awaitable {
		cp := *v
		cp.awaitable = false
		v = &cp
	}
	return v
}

// evalUpTo evaluates c with only its first n ops.
func (r *resolver) evalUpTo(c *chain, n int) *value {
	cp := *c
	cp.ops = c.ops[:n]
	cp.awaited = false
	return r.eval(&cp)
}

func (r *resolver) apply(v *value, o op) *value {
	if v.awaitable {
		return nil // a coroutine: its members are not the result's
	}
	switch v.kind {
	case vEnv:
		if o.kind == opAttr && r.req.Env != nil {
			if b := r.req.Env.Binding(o.name); b != nil {
				return r.bindingValue(b)
			}
		}
	case vSelf:
		if o.kind != opAttr {
			return nil
		}
		switch o.name {
		case "env":
			return &value{kind: vEnv}
		case "ctx":
			if v.selfKind == baseDO {
				return objectOf("DurableObjectState")
			}
			return objectOf("ExecutionContext")
		}
	case vWorkers:
		if o.kind == opAttr && o.name == "env" {
			return &value{kind: vEnv}
		}
	case vObject:
		switch o.kind {
		case opIndex:
			if v.elem != nil {
				return &value{kind: vObject, iface: v.elem}
			}
		case opAttr:
			if v.iface != nil {
				if m, ok := v.iface.Member(o.name); ok {
					if m.Property {
						return memberResult(m)
					}
					return &value{kind: vMethod, member: &m, recv: v}
				}
			}
			if v.rpc != nil {
				if pm := v.rpc.method(o.name); pm != nil {
					return &value{kind: vMethod, rpcMethod: pm, recv: v}
				}
			}
		}
	case vMethod:
		if o.kind != opCall {
			return nil
		}
		if v.rpcMethod != nil {
			return nil // an RPC result is whatever the user's method returns
		}
		res := memberResult(*v.member)
		if res == nil {
			return nil
		}
		if res.iface != nil && res.iface.Name == "DurableObjectStub" && v.recv != nil && v.recv.binding != nil {
			res.binding = v.recv.binding
			res.rpc = r.durableObjectClass(v.recv.binding)
		}
		res.awaitable = v.member.Async
		return res
	}
	return nil
}

// memberResult is what reading a property, or calling a method, gives.
func memberResult(m catalog.Member) *value {
	if m.ReturnsInterface != "" {
		return objectOf(m.ReturnsInterface)
	}
	if elem := listElem(m.Returns); elem != "" {
		if iface, ok := catalog.Lookup(elem); ok {
			return &value{kind: vObject, elem: iface}
		}
	}
	if m.Decorator {
		return nil
	}
	return &value{kind: vObject} // a plain value: awaiting it still matters
}

// listElem reads X from a result type "list[X]".
func listElem(t string) string {
	if strings.HasPrefix(t, "list[") && strings.HasSuffix(t, "]") {
		return t[5 : len(t)-1]
	}
	return ""
}

// bindingValue is the object a binding name evaluates to.
func (r *resolver) bindingValue(b *project.Binding) *value {
	v := &value{kind: vObject, binding: b}
	if b.Kind.Interface != "" {
		if iface, ok := catalog.Lookup(b.Kind.Interface); ok {
			v.iface = iface
		}
	}
	if b.Kind.Key() == "services" {
		v.rpc = r.serviceEntrypoint(b)
	}
	return v
}

// resolveName finds what a bare name at pos means: self in an entrypoint
// class, a handler parameter, a local alias, or an SDK import.
func (r *resolver) resolveName(name string, pos int) *value {
	if r.depth > maxAliasDepth {
		return nil
	}
	scopes := r.doc.scopesAt(pos)
	if name == "self" {
		for _, f := range scopes {
			if p, ok := f.param("self"); ok && p.index == 0 && f.class != nil {
				if kind := r.entryKind(f.class, 0); kind != "" {
					return &value{kind: vSelf, selfKind: kind}
				}
				return nil
			}
		}
		return nil
	}
	for _, f := range scopes {
		if v, found := r.assignedIn(f, name, pos); found {
			return v
		}
		if p, ok := f.param(name); ok {
			return r.paramValue(f, p)
		}
	}
	imports := r.doc.workersImportsOf()
	switch {
	case imports.envNames[name]:
		return &value{kind: vEnv}
	case imports.moduleNames[name]:
		return &value{kind: vWorkers}
	}
	return nil
}

// entryKind says which SDK entrypoint a class derives from, following
// base classes defined in the same file.
func (r *resolver) entryKind(c *classScope, depth int) string {
	for _, b := range c.bases {
		short := b[strings.LastIndexByte(b, '.')+1:]
		switch short {
		case baseWorker, baseDO, baseWorkflow:
			return short
		}
		if depth < 4 && !strings.Contains(b, ".") {
			if at := findClassDef(r.doc.text, short); at >= 0 {
				if parent := parseClassHeader(r.doc.text, at); parent != nil {
					if k := r.entryKind(parent, depth+1); k != "" {
						return k
					}
				}
			}
		}
	}
	return ""
}

// legacyHandlerParams types the parameters of module-level handlers.
var legacyHandlerParams = map[string][]string{
	"on_fetch":     {"Request", "env", "ExecutionContext"},
	"on_scheduled": {"ScheduledController", "env", "ExecutionContext"},
	"on_queue":     {"MessageBatch", "env", "ExecutionContext"},
}

// paramValue types a handler's parameter. Annotated parameters are left
// to pyright. Inside entrypoint classes the env/ctx arguments of handlers
// are empty (the runtime passes them only to legacy handlers), so only
// self.env / self.ctx count there.
func (r *resolver) paramValue(f *funcScope, p param) *value {
	if p.annotated {
		return nil
	}
	if f.class != nil {
		kind := r.entryKind(f.class, 0)
		switch {
		case kind == "":
			return nil
		case f.name == "__init__" && p.index == 1:
			if kind == baseDO {
				return objectOf("DurableObjectState")
			}
			return objectOf("ExecutionContext")
		case f.name == "__init__" && p.index == 2:
			return &value{kind: vEnv}
		case kind == baseWorkflow && f.name == "run" && p.index == 2:
			return objectOf("WorkflowStep")
		case kind != baseWorkflow && f.name == "fetch" && p.index == 1:
			return objectOf("Request")
		case kind == baseWorker && f.name == "scheduled" && p.index == 1:
			return objectOf("ScheduledController")
		case kind == baseWorker && f.name == "queue" && p.index == 1:
			return objectOf("MessageBatch")
		}
		return nil
	}
	if !f.moduleLevel {
		return nil
	}
	if types, ok := legacyHandlerParams[f.name]; ok && p.index >= 0 && p.index < len(types) {
		if types[p.index] == "env" {
			return &value{kind: vEnv}
		}
		return objectOf(types[p.index])
	}
	if p.name == "env" {
		return &value{kind: vEnv}
	}
	return nil
}

// assignedIn looks for the last simple assignment `name = expr` (or
// `for name in expr:`) in f's body before pos, at any depth of f's own
// blocks, and evaluates expr. found is true when name is assigned even if
// the value is unknown, since the assignment shadows outer meanings.
func (r *resolver) assignedIn(f *funcScope, name string, pos int) (v *value, found bool) {
	text := r.doc.text
	end := lineStart(text, pos)
	if f.bodyStart >= end {
		return nil, false
	}
	body := text[f.bodyStart:end]
	rhs, isFor, annotated := -1, false, false
	for from := 0; ; {
		i := strings.Index(body[from:], name)
		if i < 0 {
			break
		}
		i += from
		from = i + len(name)
		if i > 0 && (isIdentByte(body[i-1]) || body[i-1] == '.') || from < len(body) && isIdentByte(body[from]) {
			continue
		}
		before := strings.TrimSpace(body[lineStart(body, i):i])
		after := body[from:]
		j := 0
		for j < len(after) && isSpace(after[j]) {
			j++
		}
		switch {
		case before == "" && j < len(after) && after[j] == '=' && !(j+1 < len(after) && after[j+1] == '='):
			rhs, isFor, annotated = f.bodyStart+from+j+1, false, false
		case before == "" && j < len(after) && after[j] == ':' && isAnnotatedAssign(after[j:]):
			rhs, isFor, annotated = f.bodyStart+from, false, true
		case (before == "for" || before == "async for") && hasWord(after, j, len(after), "in"):
			rhs, isFor, annotated = f.bodyStart+from+j+2, true, false
		}
	}
	if rhs < 0 {
		return nil, false
	}
	if annotated {
		return nil, true // pyright knows an annotated name's members
	}
	c, _ := parseExpr(text, rhs, len(text), false)
	sub := &resolver{req: r.req, doc: r.doc, depth: r.depth + 1}
	v = sub.eval(c)
	if isFor {
		if v == nil || v.elem == nil {
			return nil, true
		}
		return &value{kind: vObject, iface: v.elem}, true
	}
	return v, true
}

// isAnnotatedAssign says whether s (starting at ":") is `: T = value` on
// one line.
func isAnnotatedAssign(s string) bool {
	le := strings.IndexByte(s, '\n')
	if le < 0 {
		le = len(s)
	}
	line := s[:le]
	eq := strings.IndexByte(line, '=')
	return eq > 0 && !(eq+1 < len(line) && line[eq+1] == '=')
}
