package pyfacts

import "strings"

// FuncsAt returns the function definitions enclosing byte offset off,
// innermost first.
func (m *Module) FuncsAt(off int) []*Func {
	s := m.stmtAt(off)
	if s == nil {
		return nil
	}
	var out []*Func
	for i := len(s.funcs) - 1; i >= 0; i-- { // pre-order: inner defs come later
		if f := s.funcs[i]; m.Contains(f.Node, off) {
			out = append(out, f)
		}
	}
	return out
}

// ModuleLevel reports whether f is defined at the top of its module.
func (f *Func) ModuleLevel() bool {
	o := f.Outer()
	return o.Parent != nil && o.Parent.Type == "module"
}

// Param returns the parameter called name, or nil.
func (f *Func) Param(name string) *Param {
	for _, p := range f.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// ParamsAsWritten returns f's parameters as written, blanks collapsed and
// a leading self (or cls) left out: "by=1", "*", "token: str".
func (m *Module) ParamsAsWritten(f *Func) []string {
	var out []string
	for i, p := range f.Node.Child("parameters").NamedChildren() {
		if p.Type == "comment" {
			continue
		}
		text := strings.Join(strings.Fields(m.Text(p)), " ")
		if i == 0 && f.Class != nil && len(f.Params) > 0 && f.Params[0].Node.start >= p.start && f.Params[0].Node.end <= p.end && // one statement: relative offsets compare
			(f.Params[0].Name == "self" || f.Params[0].Name == "cls") {
			continue
		}
		out = append(out, text)
	}
	return out
}

// Docstring returns the string literal that starts f's body, without
// quotes and surrounding blanks; "" when there is none.
func (m *Module) Docstring(f *Func) string {
	var first *Node
	for _, c := range f.Body.NamedChildren() {
		if c.Type != "comment" {
			first = c
			break
		}
	}
	if first == nil || first.Type != "expression_statement" {
		return ""
	}
	str := first.FirstOfType("string")
	if str == nil || len(first.NamedChildren()) != 1 {
		return ""
	}
	var b strings.Builder
	for _, c := range str.Children {
		if c.Type == "string_content" {
			b.WriteString(m.Text(c))
		}
	}
	return strings.TrimSpace(b.String())
}

// BindingKind says how a local name was bound.
type BindingKind int

// The binding kinds.
const (
	BindAssign    BindingKind = iota // name = value
	BindAnnotated                    // name: T = value
	BindFor                          // for name in value
)

// Binding is one simple binding of a local name.
type Binding struct {
	Kind  BindingKind
	Name  *Node // the identifier bound
	Value *Node // the expression assigned, or iterated over
}

// LastBinding returns the last simple binding of name (`name = v`,
// `name: T = v`, `for name in v:`) in f's own body — not in nested defs,
// lambdas or classes — that ends before byte offset before; nil when there
// is none. Bindings in parse-error regions count: a half-typed line
// elsewhere must not hide a good assignment; one whose statement holds
// before is not complete yet.
func (m *Module) LastBinding(f *Func, name string, before int) *Binding {
	var last *Binding
	before -= m.base(f.Node) // relative to f's statement, as its nodes' offsets
	var walk func(n *Node)
	walk = func(n *Node) {
		if n.start >= before {
			return
		}
		switch n.Type {
		case "function_definition", "class_definition", "lambda", "decorated_definition":
			return
		case "assignment":
			left, right := n.Child("left"), n.Child("right")
			if left.Is("identifier") && m.Text(left) == name && n.end <= before {
				b := &Binding{Kind: BindAssign, Name: left, Value: right}
				if n.Child("type") != nil {
					b.Kind = BindAnnotated
				}
				if right != nil || b.Kind == BindAnnotated {
					last = b
				}
			}
		case "for_statement":
			left, right := n.Child("left"), n.Child("right")
			if left.Is("identifier") && m.Text(left) == name && right != nil && right.end <= before {
				last = &Binding{Kind: BindFor, Name: left, Value: right}
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	// The body, and the ERROR nodes next to it that hold half-typed lines.
	for _, c := range f.Node.Children {
		if c.Field != "name" && c.Field != "parameters" && c.Field != "return_type" {
			walk(c)
		}
	}
	return last
}
