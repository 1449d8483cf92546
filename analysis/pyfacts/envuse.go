package pyfacts

import "strings"

// LegacyHandlerNames are the module-level handler names of the old
// `@handler async def on_fetch(request, env)` style, mapped to the method a
// WorkerEntrypoint class defines instead.
var LegacyHandlerNames = map[string]string{
	"on_fetch":     "fetch",
	"on_scheduled": "scheduled",
	"on_queue":     "queue",
	"on_email":     "email",
	"on_trace":     "tail",
	"on_tail":      "tail",
	"on_test":      "test",
}

// LegacyHandlers returns the module-level legacy handler functions.
func (m *Module) LegacyHandlers() []*Func {
	var out []*Func
	for _, f := range m.Functions {
		if _, ok := LegacyHandlerNames[f.Name]; ok {
			out = append(out, f)
		}
	}
	return out
}

// EnvParam returns the parameter that receives env in a legacy handler
// (the second one, as in on_fetch(request, env, ctx)), or nil.
func (f *Func) EnvParam() *Param {
	if f.Class != nil {
		return nil
	}
	if _, ok := LegacyHandlerNames[f.Name]; ok && len(f.Params) >= 2 {
		return f.Params[1]
	}
	for _, p := range f.Params {
		if p.Name == "env" {
			return p
		}
	}
	return nil
}

// isSelfEnv reports whether n is `self.env`.
func (m *Module) isSelfEnv(n *Node) bool {
	if n == nil || n.Type != "attribute" {
		return false
	}
	obj, attr := n.Child("object"), n.Child("attribute")
	return obj != nil && obj.Type == "identifier" && m.Text(obj) == "self" && m.Text(attr) == "env"
}

// collectEnvUses finds NAME in `self.env.NAME`, in `env.NAME` where env is
// a legacy handler's env parameter (or a helper's parameter named env), in
// `e.NAME` after `e = self.env`, and in `workers.env.NAME` / the SDK's
// `from workers import env`.
// s is one top-level statement: an env name is local to a function.
func (m *Module) collectEnvUses(s *stmtFacts, moduleEnv string) {
	envNames := map[*Node]map[string]bool{} // function_definition → local names holding env
	for _, f := range s.funcs {
		names := map[string]bool{}
		if p := f.EnvParam(); p != nil {
			names[p.Name] = true
		}
		envNames[f.Node] = names
	}
	// Aliases: `x = self.env` / `x = env` inside a function body.
	s.top().Walk(func(n *Node) bool {
		if n.Type != "assignment" {
			return true
		}
		left, right := n.Child("left"), n.Child("right")
		if left == nil || left.Type != "identifier" || right == nil {
			return true
		}
		fn := EnclosingFunc(n)
		if fn == nil || envNames[fn] == nil {
			return true
		}
		if m.isSelfEnv(right) || right.Type == "identifier" && m.envNameIn(n, m.Text(right), envNames) {
			envNames[fn][m.Text(left)] = true
		}
		return true
	})
	s.top().Walk(func(n *Node) bool {
		if n.Type != "attribute" {
			return true
		}
		obj, attr := n.Child("object"), n.Child("attribute")
		if obj == nil || attr == nil || attr.Type != "identifier" || m.SplitByNewline(n) {
			return true // a split one is `self.env.` typed above a line, not a use of its name
		}
		isEnv := m.isSelfEnv(obj)
		if !isEnv && obj.Type == "identifier" {
			name := m.Text(obj)
			isEnv = m.envNameIn(n, name, envNames) || name == moduleEnv && moduleEnv != ""
		}
		if !isEnv && obj.Type == "attribute" && m.Resolve(obj) == "workers.env" {
			isEnv = true
		}
		if !isEnv {
			return true
		}
		name := m.Text(attr)
		if strings.HasPrefix(name, "__") {
			return true
		}
		use := &EnvUse{Name: name, NameNode: attr, Expr: n}
		if fn := EnclosingFunc(n); fn != nil {
			use.Func = s.funcOf(fn)
		}
		s.envUses = append(s.envUses, use)
		return true
	})
}

// envNameIn reports whether name holds env in a function around n.
func (m *Module) envNameIn(n *Node, name string, envNames map[*Node]map[string]bool) bool {
	for fn := EnclosingFunc(n); fn != nil; fn = EnclosingFunc(fn) {
		if envNames[fn][name] {
			return true
		}
	}
	return false
}
