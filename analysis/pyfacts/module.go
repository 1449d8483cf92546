package pyfacts

import (
	"sort"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// Module holds the facts of one Python file.
type Module struct {
	Path  string
	Src   string
	Lines *textpos.Index
	Root  *Node // nil when the file was too large to parse

	Imports   []*Import
	Classes   []*Class // every class, nested ones included
	Functions []*Func  // module-level functions
	EnvUses   []*EnvUse
	// Calls, Returns and Excepts list every call, return_statement and
	// except_clause node in source order, so rules need not each walk the
	// whole tree.
	Calls   []*Node
	Returns []*Node
	Excepts []*Node
	// ErrorRanges are the byte ranges of ERROR and MISSING nodes: results
	// overlapping them come from half-typed code and are dropped.
	ErrorRanges [][2]int

	// aliases maps a local name to the dotted name it was imported as:
	// "np" → "numpy", "randint" → "random.randint".
	aliases map[string]string
	funcs   []*Func
	// stmts are the top-level statements with their facts (or the whole
	// tree, when it does not parse as a module), in source order; bases[i]
	// is where stmts[i] starts in Src (its nodes' offsets count from
	// there), and tops maps each statement's top node to its index.
	stmts []*stmtFacts
	bases []int
	tops  map[*Node]int32
}

// Start returns the byte offset in Src where n starts.
func (m *Module) Start(n *Node) int { return m.base(n) + n.start }

// End returns the byte offset in Src where n ends.
func (m *Module) End(n *Node) int { return m.base(n) + n.end }

// Span returns n's byte range [start, end) in Src.
func (m *Module) Span(n *Node) (start, end int) {
	b := m.base(n)
	return b + n.start, b + n.end
}

// Contains reports whether byte offset off lies in n's range.
func (m *Module) Contains(n *Node, off int) bool {
	start, end := m.Span(n)
	return off >= start && off < end
}

// base returns the offset n's relative offsets count from: the start of
// its top-level statement in this version of the file.
func (m *Module) base(n *Node) int {
	i := m.stmtIndex(n)
	if i < 0 {
		return 0
	}
	return m.bases[i]
}

// stmtIndex returns the index of the top-level statement holding n, or -1
// for a node outside any (a tree root, whose offsets are absolute). A
// node of another file's Module is a caller's bug: its offsets would be
// meaningless here.
func (m *Module) stmtIndex(n *Node) int {
	if n.top == nil {
		return -1
	}
	i, ok := m.tops[n.top]
	if !ok {
		panic("pyfacts: a node of another module (" + n.Type + ") used with " + m.Path)
	}
	return int(i)
}

// stmtOf returns the top-level statement holding n, or nil.
func (m *Module) stmtOf(n *Node) *stmtFacts {
	if i := m.stmtIndex(n); i >= 0 {
		return m.stmts[i]
	}
	if len(m.stmts) == 1 && m.tops == nil { // the whole tree is one statement
		return m.stmts[0]
	}
	return nil
}

// Import is one imported name.
type Import struct {
	Module   string // "pyodide.ffi", "random"; for `from . import x` the dots are kept
	Name     string // the imported member for `from M import Name`, "" for `import M`
	Alias    string // the local name bound
	Node     *Node  // the dotted_name of the module
	NameNode *Node  // the dotted_name/aliased_import of Name (from-imports)
	Stmt     *Node  // import_statement / import_from_statement
	TopLevel bool   // executed when the module loads (not inside a def)
}

// Class is one class definition.
type Class struct {
	Name      string
	NameNode  *Node
	Node      *Node    // class_definition
	Bases     []string // base expressions as written, resolved through imports
	BaseNodes []*Node
	Methods   []*Func
	TopLevel  bool
}

// HasBase reports whether one of the bases ends in name ("DurableObject"
// matches "DurableObject" and "workers.DurableObject").
func (c *Class) HasBase(name string) bool {
	for _, b := range c.Bases {
		if b == name || strings.HasSuffix(b, "."+name) {
			return true
		}
	}
	return false
}

// Method returns the method called name, or nil.
func (c *Class) Method(name string) *Func {
	for _, m := range c.Methods {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// Func is one function definition.
type Func struct {
	Name       string
	NameNode   *Node
	Node       *Node // function_definition
	Decorated  *Node // the decorated_definition around it, or nil
	Decorators []*Node
	Async      bool
	Params     []*Param
	Body       *Node
	Class      *Class // the class it is a method of, or nil
}

// Outer returns the decorated_definition if any, else the definition.
func (f *Func) Outer() *Node {
	if f.Decorated != nil {
		return f.Decorated
	}
	return f.Node
}

// Param is one parameter.
type Param struct {
	Name string
	Node *Node // the identifier
	// Index is the position among the positional parameters, self
	// included; -1 for keyword-only ones (after * or *args).
	Index     int
	Annotated bool // written with a type (`x: int`)
}

// EnvUse is `self.env.NAME`, `env.NAME` of a legacy handler, or an alias of
// either.
type EnvUse struct {
	Name     string
	NameNode *Node // the attribute identifier NAME
	Expr     *Node // the whole attribute expression
	Func     *Func // the enclosing function, or nil
}

// Parse derives the facts of a file.
func Parse(path string, f *pysyntax.File) *Module { return ParseIncremental(path, f, nil) }

// ParseIncremental derives the facts of a file, reusing the syntax and
// facts of the top-level statements that are unchanged since prev (the
// facts of an earlier version of the same file; nil for none). A caller
// that keeps each file's Module per snapshot passes the previous one here,
// so a keystroke in a 5,000-line module re-walks only the edited
// statement. Unchanged statements are shared with prev (neither is ever
// modified), moved or not: their offsets are relative to their start.
func ParseIncremental(path string, f *pysyntax.File, prev *Module) *Module {
	m := &Module{Path: path, Src: f.Text(), Lines: f.Lines(), aliases: map[string]string{}}
	tree := f.Tree()
	if tree == nil {
		return m
	}
	defer tree.Close()
	// About one node per 2.5 bytes of typical Python; the walk retries with
	// the exact count when the guess is short.
	var old []*stmtFacts
	var edit *[3]int // where the text differs from prev's, when f knows
	if prev != nil {
		if start, oldEnd, newEnd, ok := f.DiffFrom(prev.Src); ok {
			edit = &[3]int{start, oldEnd, newEnd}
		}
	}
	m.Root, m.stmts, m.bases, old = build(tree, len(m.Src)/2+64, m.Src, prev, edit)
	if m.Root.Type == "module" {
		m.tops = make(map[*Node]int32, len(m.stmts))
		for i, st := range m.stmts {
			m.tops[st.top()] = int32(i)
		}
	}
	m.collect(prev, old)
	return m
}

// stmtAt returns the statement whose range holds off, or nil.
func (m *Module) stmtAt(off int) *stmtFacts {
	if i, base := m.topAt(off); i >= 0 && base+m.stmts[i].top().start <= off {
		return m.stmts[i]
	}
	return nil
}

// topAt returns the index of the first statement ending after off and
// where it starts, or -1.
func (m *Module) topAt(off int) (int, int) {
	i := sort.Search(len(m.stmts), func(i int) bool { return m.bases[i]+m.stmts[i].top().end > off })
	if i == len(m.stmts) {
		return -1, 0
	}
	return i, m.bases[i]
}

// Callee returns the resolved dotted name of a call's function ("" when
// it is not a plain name chain). Names of calls are resolved once, when
// the module is parsed: most rules ask for every call.
func (m *Module) Callee(call *Node) string {
	if s := m.stmtOf(call); s != nil {
		for i, c := range s.calls {
			if c == call {
				return s.callees[i]
			}
		}
	}
	return m.Resolve(call.Child("function"))
}

// Text returns the source text of n.
func (m *Module) Text(n *Node) string {
	if n == nil {
		return ""
	}
	start, end := m.Span(n)
	return m.Src[start:end]
}

// InError reports whether [start, end) overlaps a parse-error region.
func (m *Module) InError(start, end int) bool {
	for _, r := range m.ErrorRanges {
		if start < r[1] && end > r[0] || start == end && start >= r[0] && start <= r[1] {
			return true
		}
		if r[0] == r[1] && r[0] >= start && r[0] <= end { // a MISSING node is empty
			return true
		}
	}
	return false
}

// Resolve returns the dotted name an identifier/attribute chain refers to,
// with its first part mapped through the imports: with `import numpy as
// np`, "np.random.rand" → "numpy.random.rand"; with `from random import
// randint`, "randint" → "random.randint". Names not imported stay as
// written. "" when n is not a plain dotted chain.
func (m *Module) Resolve(n *Node) string {
	d := m.DottedText(n)
	if d == "" {
		return ""
	}
	head, rest, _ := strings.Cut(d, ".")
	if full, ok := m.aliases[head]; ok {
		if rest == "" {
			return full
		}
		return full + "." + rest
	}
	return d
}

// ImportedAs reports whether local name is bound by an import.
func (m *Module) ImportedAs(name string) (string, bool) {
	full, ok := m.aliases[name]
	return full, ok
}

// Class returns the top-level class called name, or nil.
func (m *Module) Class(name string) *Class {
	for _, c := range m.Classes {
		if c.Name == name && c.TopLevel {
			return c
		}
	}
	return nil
}

// Function returns the module-level function called name, or nil.
func (m *Module) Function(name string) *Func {
	for _, f := range m.Functions {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// EnclosingFunc returns the innermost function definition around n.
func EnclosingFunc(n *Node) *Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == "function_definition" || p.Type == "lambda" {
			return p
		}
	}
	return nil
}

// IsAsyncDef reports whether a function_definition is `async def`.
func IsAsyncDef(fn *Node) bool {
	return fn != nil && fn.Type == "function_definition" && len(fn.Children) > 0 && fn.Children[0].Type == "async"
}

// AtModuleLoad reports whether n runs when the module is imported: it is
// not inside a function or lambda (class bodies do run at import).
func AtModuleLoad(n *Node) bool { return EnclosingFunc(n) == nil }

// Statement returns the statement (a direct child of a block or the module)
// containing n.
func Statement(n *Node) *Node {
	for ; n != nil && n.Parent != nil; n = n.Parent {
		if n.Parent.Type == "block" || n.Parent.Type == "module" {
			return n
		}
	}
	return nil
}

// collect finds the facts of every statement, reusing those of prev's
// statements (old[i] for statement i) when the imports they were resolved
// through are the same.
func (m *Module) collect(prev *Module, old []*stmtFacts) {
	// Names resolve through every import of the module (and class bases
	// through those before the class): facts are reused only when the
	// import-bearing statements are the same ones, in the same order.
	sameImports := old != nil
	if sameImports {
		var was []string
		for _, s := range prev.stmts {
			if s.hasImport {
				was = append(was, prev.Text(s.top()))
			}
		}
		k := 0
		for i, s := range m.stmts {
			has := s.hasImport
			if old[i] == nil {
				has = hasImportNode(s.nodes)
			} else if old[i] != s {
				has = old[i].hasImport
			}
			if has {
				if k >= len(was) || was[k] != m.Text(s.top()) {
					sameImports = false
					break
				}
				k++
			}
		}
		sameImports = sameImports && k == len(was)
	}
	fresh := make([]bool, len(m.stmts))
	imports := 0
	for i, s := range m.stmts {
		o := (*stmtFacts)(nil)
		if old != nil {
			o = old[i]
		}
		switch {
		case o != nil && sameImports && o.importsBefore == imports:
			for _, imp := range s.imports {
				m.bindImport(imp)
			}
		case o != nil:
			// Shared nodes, facts found again.
			s = &stmtFacts{nodes: o.nodes, kids: o.kids}
			m.stmts[i] = s
			fallthrough
		default:
			fresh[i] = true
			s.importsBefore = imports
			m.collectStmt(s)
		}
		if s.hasImport {
			imports++
		}
	}
	moduleEnv := ""
	for _, s := range m.stmts {
		for _, imp := range s.imports {
			if imp.Module == "workers" && imp.Name == "env" {
				moduleEnv = imp.Alias
			}
		}
	}
	for i, s := range m.stmts {
		if fresh[i] {
			s.callees = make([]string, len(s.calls))
			for j, c := range s.calls {
				s.callees[j] = m.Resolve(c.Child("function"))
			}
			m.collectEnvUses(s, moduleEnv)
		}
	}
	// Sized first: the lists hold every statement's facts, and growing them
	// by appends was a third of a keystroke's facts.
	var nImports, nClasses, nFunctions, nFuncs, nEnvUses, nCalls, nReturns, nExcepts, nErrors int
	for _, s := range m.stmts {
		nImports += len(s.imports)
		nClasses += len(s.classes)
		nFunctions += len(s.functions)
		nFuncs += len(s.funcs)
		nEnvUses += len(s.envUses)
		nCalls += len(s.calls)
		nReturns += len(s.returns)
		nExcepts += len(s.excepts)
		nErrors += len(s.errorRanges)
	}
	m.Imports = make([]*Import, 0, nImports)
	m.Classes = make([]*Class, 0, nClasses)
	m.Functions = make([]*Func, 0, nFunctions)
	m.funcs = make([]*Func, 0, nFuncs)
	m.EnvUses = make([]*EnvUse, 0, nEnvUses)
	m.Calls = make([]*Node, 0, nCalls)
	m.Returns = make([]*Node, 0, nReturns)
	m.Excepts = make([]*Node, 0, nExcepts)
	if nErrors > 0 {
		m.ErrorRanges = make([][2]int, 0, nErrors)
	}
	for i, s := range m.stmts {
		m.Imports = append(m.Imports, s.imports...)
		m.Classes = append(m.Classes, s.classes...)
		m.Functions = append(m.Functions, s.functions...)
		m.funcs = append(m.funcs, s.funcs...)
		m.EnvUses = append(m.EnvUses, s.envUses...)
		m.Calls = append(m.Calls, s.calls...)
		m.Returns = append(m.Returns, s.returns...)
		m.Excepts = append(m.Excepts, s.excepts...)
		for _, r := range s.errorRanges {
			m.ErrorRanges = append(m.ErrorRanges, [2]int{m.bases[i] + r[0], m.bases[i] + r[1]})
		}
	}
}

// collectStmt finds the facts of one statement but its callees and env
// uses, which need every import of the module.
func (m *Module) collectStmt(s *stmtFacts) {
	s.top().Walk(func(n *Node) bool {
		switch n.Type {
		case "ERROR":
			s.errorRanges = append(s.errorRanges, [2]int{n.start, n.end})
			return true
		case "import_statement", "import_from_statement", "future_import_statement":
			s.hasImport = true
			m.addImport(s, n)
			return false
		case "class_definition":
			m.addClass(s, n)
		case "function_definition":
			m.addFunc(s, n)
		case "call":
			s.calls = append(s.calls, n)
		case "return_statement":
			s.returns = append(s.returns, n)
		case "except_clause":
			s.excepts = append(s.excepts, n)
		}
		if n.Missing {
			s.errorRanges = append(s.errorRanges, [2]int{n.start, n.end})
		}
		return true
	})
}

// bindImport records the local name an import binds.
func (m *Module) bindImport(imp *Import) {
	switch {
	case imp.Name == "*":
	case imp.Stmt.Type == "import_statement":
		if imp.Node.Parent != nil && imp.Node.Parent.Type == "aliased_import" {
			m.aliases[imp.Alias] = imp.Module
		} else {
			m.aliases[imp.Alias] = imp.Alias
		}
	case !strings.HasPrefix(imp.Module, "."):
		m.aliases[imp.Alias] = imp.Module + "." + imp.Name
	}
}

func (m *Module) addImport(s *stmtFacts, stmt *Node) {
	top := AtModuleLoad(stmt)
	if stmt.Type == "import_statement" {
		for _, c := range stmt.ChildrenIn("name") {
			imp := &Import{Stmt: stmt, TopLevel: top}
			switch c.Type {
			case "dotted_name":
				imp.Node = c
				imp.Module = m.Text(c)
				imp.Alias, _, _ = strings.Cut(imp.Module, ".")
				m.aliases[imp.Alias] = imp.Alias
			case "aliased_import":
				imp.Node = c.Child("name")
				imp.Module = m.Text(imp.Node)
				imp.Alias = m.Text(c.Child("alias"))
				m.aliases[imp.Alias] = imp.Module
			default:
				continue
			}
			s.imports = append(s.imports, imp)
		}
		return
	}
	modNode := stmt.Child("module_name")
	mod := m.Text(modNode)
	for _, c := range stmt.ChildrenIn("name") {
		imp := &Import{Stmt: stmt, TopLevel: top, Module: mod, Node: modNode, NameNode: c}
		switch c.Type {
		case "dotted_name":
			imp.Name = m.Text(c)
			imp.Alias = imp.Name
		case "aliased_import":
			imp.Name = m.Text(c.Child("name"))
			imp.Alias = m.Text(c.Child("alias"))
		default:
			continue
		}
		if !strings.HasPrefix(mod, ".") {
			m.aliases[imp.Alias] = mod + "." + imp.Name
		}
		s.imports = append(s.imports, imp)
	}
	if len(stmt.ChildrenIn("name")) == 0 && modNode != nil { // from M import *
		s.imports = append(s.imports, &Import{Stmt: stmt, TopLevel: top, Module: mod, Node: modNode, Name: "*"})
	}
}

func (m *Module) addClass(s *stmtFacts, n *Node) {
	c := &Class{Node: n, NameNode: n.Child("name"), TopLevel: n.Parent != nil && n.Parent.Type == "module" ||
		n.Parent != nil && n.Parent.Type == "decorated_definition" && n.Parent.Parent != nil && n.Parent.Parent.Type == "module"}
	c.Name = m.Text(c.NameNode)
	if sup := n.Child("superclasses"); sup != nil {
		for _, b := range sup.NamedChildren() {
			if b.Type == "keyword_argument" {
				continue
			}
			name := m.Resolve(b)
			if name == "" {
				name = m.Text(b)
			}
			c.Bases = append(c.Bases, name)
			c.BaseNodes = append(c.BaseNodes, b)
		}
	}
	s.classes = append(s.classes, c)
}

func (m *Module) addFunc(s *stmtFacts, n *Node) {
	f := &Func{Node: n, NameNode: n.Child("name"), Body: n.Child("body"), Async: IsAsyncDef(n)}
	f.Name = m.Text(f.NameNode)
	if p := n.Parent; p != nil && p.Type == "decorated_definition" {
		f.Decorated = p
		f.Decorators = p.ChildrenIn("") // filtered below
		f.Decorators = f.Decorators[:0:0]
		for _, c := range p.Children {
			if c.Type == "decorator" {
				f.Decorators = append(f.Decorators, c)
			}
		}
	}
	if ps := n.Child("parameters"); ps != nil {
		index := 0
		for _, p := range ps.NamedChildren() {
			var id *Node
			switch p.Type {
			case "identifier":
				id = p
			case "default_parameter", "typed_default_parameter":
				id = p.Child("name")
			case "typed_parameter":
				id = p.FirstOfType("identifier")
			case "keyword_separator", "list_splat_pattern":
				index = -1 // keyword-only from here on
			}
			if p.Type == "typed_parameter" && p.FirstOfType("list_splat_pattern") != nil {
				index = -1 // *args: T
			}
			if id != nil && id.Type == "identifier" {
				f.Params = append(f.Params, &Param{Name: m.Text(id), Node: id, Index: index,
					Annotated: p.Type == "typed_parameter" || p.Type == "typed_default_parameter"})
				if index >= 0 {
					index++
				}
			}
		}
	}
	outer := f.Outer()
	switch {
	case outer.Parent != nil && outer.Parent.Type == "module":
		s.functions = append(s.functions, f)
	case outer.Parent != nil && outer.Parent.Type == "block" && outer.Parent.Parent != nil && outer.Parent.Parent.Type == "class_definition":
		cls := outer.Parent.Parent
		for i := len(s.classes) - 1; i >= 0; i-- {
			if s.classes[i].Node == cls {
				f.Class = s.classes[i]
				s.classes[i].Methods = append(s.classes[i].Methods, f)
				break
			}
		}
	}
	s.funcs = append(s.funcs, f)
}

// FuncOf returns the Func of a function_definition node, or nil.
func (m *Module) FuncOf(def *Node) *Func {
	if def == nil {
		return nil
	}
	if s := m.stmtOf(def); s != nil {
		return s.funcOf(def)
	}
	return nil
}

// funcOf returns the Func of a function_definition node in s, or nil.
func (s *stmtFacts) funcOf(def *Node) *Func {
	for _, f := range s.funcs {
		if f.Node == def {
			return f
		}
	}
	return nil
}

// AllFuncs returns every function definition, nested ones included.
func (m *Module) AllFuncs() []*Func { return m.funcs }

// DecoratorName returns the decorator's callee resolved through imports:
// "@step.do('x')" → "step.do", "@handler" → "workers.handler".
func (m *Module) DecoratorName(dec *Node) string {
	expr := dec.NamedChildren()
	if len(expr) == 0 {
		return ""
	}
	e := expr[0]
	if e.Type == "call" {
		e = e.Child("function")
	}
	return m.Resolve(e)
}
