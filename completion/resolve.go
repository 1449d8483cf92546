package completion

import (
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/catalog"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
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
	m     *pyfacts.Module // the document's facts
	depth int             // guards alias chains (x = y; y = x)
}

func newResolver(req *Request, m *pyfacts.Module) *resolver { return &resolver{req: req, m: m} }

const maxAliasDepth = 8

func (r *resolver) eval(c *pyfacts.Chain) *value {
	if c == nil {
		return nil
	}
	var v *value
	if c.Inner != nil {
		v = r.eval(c.Inner)
	} else {
		v = r.resolveName(c.Name, c.Start)
	}
	for _, o := range c.Ops {
		if v == nil {
			return nil
		}
		v = r.apply(v, o)
	}
	if c.Awaited && v != nil && v.awaitable {
		cp := *v
		cp.awaitable = false
		v = &cp
	}
	return v
}

func (r *resolver) apply(v *value, o pyfacts.ChainOp) *value {
	if v.awaitable {
		return nil // a coroutine: its members are not the result's
	}
	switch v.kind {
	case vEnv:
		if o.Kind == pyfacts.OpAttr && r.req.Env != nil {
			if b := r.req.Env.Binding(o.Name); b != nil {
				return r.bindingValue(b)
			}
		}
	case vSelf:
		if o.Kind != pyfacts.OpAttr {
			return nil
		}
		switch o.Name {
		case "env":
			return &value{kind: vEnv}
		case "ctx":
			if v.selfKind == baseDO {
				return objectOf("DurableObjectState")
			}
			return objectOf("ExecutionContext")
		}
	case vWorkers:
		if o.Kind == pyfacts.OpAttr && o.Name == "env" {
			return &value{kind: vEnv}
		}
	case vObject:
		switch o.Kind {
		case pyfacts.OpIndex:
			if v.elem != nil {
				return &value{kind: vObject, iface: v.elem}
			}
		case pyfacts.OpAttr:
			if v.iface != nil {
				if m, ok := v.iface.Member(o.Name); ok {
					if m.Property {
						return memberResult(m)
					}
					return &value{kind: vMethod, member: &m, recv: v}
				}
			}
			if v.rpc != nil {
				if pm := v.rpc.method(o.Name); pm != nil {
					return &value{kind: vMethod, rpcMethod: pm, recv: v}
				}
			}
		}
	case vMethod:
		if o.Kind != pyfacts.OpCall {
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
	funcs := r.m.FuncsAt(pos)
	if name == "self" {
		for _, f := range funcs {
			if p := f.Param("self"); p != nil && p.Index == 0 && f.Class != nil {
				if kind := r.entryKind(f.Class, 0); kind != "" {
					return &value{kind: vSelf, selfKind: kind}
				}
				return nil
			}
		}
		return nil
	}
	for _, f := range funcs {
		if b := r.m.LastBinding(f, name, pos); b != nil {
			return r.boundValue(b)
		}
		if p := f.Param(name); p != nil {
			return r.paramValue(f, p)
		}
	}
	switch full, _ := r.m.ImportedAs(name); full {
	case "workers.env":
		return &value{kind: vEnv}
	case "workers":
		return &value{kind: vWorkers}
	}
	return nil
}

// boundValue evaluates what a local binding assigned. An annotated name
// is left to pyright, which knows its members; a bound name hides outer
// meanings even when its value is unknown (nil).
func (r *resolver) boundValue(b *pyfacts.Binding) *value {
	if b.Kind == pyfacts.BindAnnotated {
		return nil
	}
	sub := &resolver{req: r.req, m: r.m, depth: r.depth + 1}
	v := sub.eval(r.m.ChainOf(b.Value))
	if b.Kind == pyfacts.BindFor {
		if v == nil || v.elem == nil {
			return nil
		}
		return &value{kind: vObject, iface: v.elem}
	}
	return v
}

// entryKind says which SDK entrypoint a class derives from, following
// base classes defined in the same file.
func (r *resolver) entryKind(c *pyfacts.Class, depth int) string {
	for _, b := range c.Bases {
		short := b[strings.LastIndexByte(b, '.')+1:]
		switch short {
		case baseWorker, baseDO, baseWorkflow:
			return short
		}
		if depth < 4 && !strings.Contains(b, ".") {
			if parent := r.m.Class(short); parent != nil && parent != c {
				if k := r.entryKind(parent, depth+1); k != "" {
					return k
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
func (r *resolver) paramValue(f *pyfacts.Func, p *pyfacts.Param) *value {
	if p.Annotated {
		return nil
	}
	if f.Class != nil {
		kind := r.entryKind(f.Class, 0)
		switch {
		case kind == "":
			return nil
		case f.Name == "__init__" && p.Index == 1:
			if kind == baseDO {
				return objectOf("DurableObjectState")
			}
			return objectOf("ExecutionContext")
		case f.Name == "__init__" && p.Index == 2:
			return &value{kind: vEnv}
		case kind == baseWorkflow && f.Name == "run" && p.Index == 2:
			return objectOf("WorkflowStep")
		case kind != baseWorkflow && f.Name == "fetch" && p.Index == 1:
			return objectOf("Request")
		case kind == baseWorker && f.Name == "scheduled" && p.Index == 1:
			return objectOf("ScheduledController")
		case kind == baseWorker && f.Name == "queue" && p.Index == 1:
			return objectOf("MessageBatch")
		}
		return nil
	}
	if !f.ModuleLevel() {
		return nil
	}
	if types, ok := legacyHandlerParams[f.Name]; ok && p.Index >= 0 && p.Index < len(types) {
		if types[p.Index] == "env" {
			return &value{kind: vEnv}
		}
		return objectOf(types[p.Index])
	}
	if p.Name == "env" {
		return &value{kind: vEnv}
	}
	return nil
}
