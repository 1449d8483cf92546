package pyfacts

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
)

func parse(t testing.TB, src string) *Module {
	t.Helper()
	f, err := pysyntax.Parse(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return Parse("m.py", f)
}

const sample = `import numpy as np
from random import randint as ri
from workers import WorkerEntrypoint, DurableObject, handler, env as wenv
import workers

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        e = self.env
        await e.KV.get("a")
        await self.env.DB.prepare("x").all()
        return workers.env.VARX

class Counter(workers.DurableObject):
    def alarm(self):
        pass

@handler
async def on_fetch(request, env, ctx):
    return env.LEGACY

def helper(env):
    return env.HELPER, wenv.MODULE_ENV
`

func TestFacts(t *testing.T) {
	m := parse(t, sample)
	if got := len(m.Imports); got != 7 {
		t.Errorf("imports = %d", got)
	}
	if got := len(m.Classes); got != 2 {
		t.Fatalf("classes = %d", got)
	}
	if !m.Classes[0].HasBase("WorkerEntrypoint") || m.Classes[0].Bases[0] != "workers.WorkerEntrypoint" {
		t.Errorf("bases = %v", m.Classes[0].Bases)
	}
	if !m.Classes[1].HasBase("DurableObject") || m.Classes[1].Method("alarm") == nil {
		t.Errorf("counter = %+v", m.Classes[1])
	}
	var names []string
	for _, u := range m.EnvUses {
		names = append(names, u.Name)
	}
	if got, want := strings.Join(names, ","), "KV,DB,VARX,LEGACY,HELPER,MODULE_ENV"; got != want {
		t.Errorf("env uses = %s, want %s", got, want)
	}
	if f := m.Function("on_fetch"); f == nil || !f.Async || len(f.Decorators) != 1 || m.DecoratorName(f.Decorators[0]) != "workers.handler" {
		t.Errorf("on_fetch = %+v", f)
	}
	if len(m.LegacyHandlers()) != 1 {
		t.Error("legacy handlers")
	}
	call := findType(m.Root, "call")
	if got := m.Resolve(call.Child("function")); got != "self.env.KV.get" && got != "e.KV.get" {
		t.Errorf("resolve = %q", got)
	}
}

func findType(n *Node, typ string) *Node {
	var found *Node
	n.Walk(func(c *Node) bool {
		if found == nil && c.Type == typ {
			found = c
		}
		return found == nil
	})
	return found
}

func TestErrorRanges(t *testing.T) {
	m := parse(t, "class A:\n    def f(self):\n        x = self.env.\n")
	if len(m.ErrorRanges) == 0 {
		t.Fatal("want an error range")
	}
}

// GenerateModule writes a Worker module of about n lines.
func GenerateModule(n int) string {
	var b strings.Builder
	b.WriteString("import random\nimport json\nfrom workers import WorkerEntrypoint, Response, DurableObject\n\n")
	i := 0
	for strings.Count(b.String(), "\n") < n-12 {
		fmt.Fprintf(&b, `
class Handler%d(DurableObject):
    async def get_item(self, key):
        value = await self.env.CACHE.get(key)
        if value is None:
            return Response("missing %d", status=404)
        rows = await self.env.DB.prepare("SELECT * FROM t WHERE id = ?").bind(key).all()
        data = json.loads(value)
        for r in rows.results:
            data[r["id"]] = [x * 2 for x in range(10) if x %% 2]
        return Response.json({"data": data, "n": %d})
`, i, i, i)
		i++
	}
	b.WriteString("\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return Response(\"ok\")\n")
	return b.String()
}

func BenchmarkParseFacts5k(b *testing.B) {
	src := GenerateModule(5000)
	f, err := pysyntax.Parse(context.Background(), src)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Parse("m.py", f)
	}
}

// dumpTree renders m's tree with absolute offsets, types and fields.
func dumpTree(m *Module) string {
	n := m.Root
	var b strings.Builder
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		start, end := m.Span(n)
		fmt.Fprintf(&b, "%*s%s %s [%d,%d) named=%v missing=%v\n", depth, "", n.Type, n.Field, start, end, n.Named, n.Missing)
		for _, c := range n.Children {
			if c.Parent != n && !(depth == 0 && n.Type == "module" && c.Parent == ModuleParent) {
				b.WriteString("BAD PARENT\n")
			}
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

func TestIncrementalMatchesFresh(t *testing.T) {
	ctx := context.Background()
	base := sample + "\nx = 1; y = 2\n" + GenerateModule(60)
	for seed := int64(1); seed <= 3; seed++ {
		checkIncrementalFacts(t, ctx, base, seed)
	}
}

func checkIncrementalFacts(t *testing.T, ctx context.Context, base string, seed int64) {
	t.Helper()
	f, err := pysyntax.Parse(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	prev := Parse("m.py", f)
	r := rand.New(rand.NewSource(seed))
	frags := []string{"", "x", "\n", "    ", "self.env.", "(", ")", ":\n    pass\n", "\"", "#", "await ", "é", "\n\n", "class Z:\n    pass\n", "import os as np\n", "from workers import env as wenv\n", "\nimport workers\n"}
	for i := 0; i < 300; i++ {
		text := f.Text()
		start := r.Intn(len(text) + 1)
		end := min(len(text), start+r.Intn(6))
		ins := frags[r.Intn(len(frags))]
		// Every other edit as the server makes it (the whole new text), so
		// the facts also run from the diff the File knows.
		var nf *pysyntax.File
		var err error
		if i%2 == 0 {
			nf, err = f.Apply(ctx, []pysyntax.Edit{{Start: start, End: end, NewText: ins}})
		} else {
			nf, err = f.WithText(ctx, text[:start]+ins+text[end:])
		}
		if err != nil {
			t.Fatal(err)
		}
		inc := ParseIncremental("m.py", nf, prev)
		requireFresh(t, fmt.Sprintf("edit %d (%q at %d)", i, nf.Text()[max(0, start-20):min(len(nf.Text()), start+20)], start), inc, nf)
		f, prev = nf, inc
	}
}

// requireFresh fails unless inc, the incremental facts of nf, has the tree
// and facts of a fresh parse of nf.
func requireFresh(t *testing.T, what string, inc *Module, nf *pysyntax.File) {
	t.Helper()
	fresh := Parse("m.py", nf)
	if a, b := dumpTree(inc), dumpTree(fresh); a != b {
		al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
		for j := range al {
			if j >= len(bl) || al[j] != bl[j] {
				t.Fatalf("%s: incremental tree differs from a fresh one at line %d:\n%s\nvs\n%s", what, j, strings.Join(al[max(0, j-3):min(len(al), j+3)], "\n"), strings.Join(bl[max(0, j-3):min(len(bl), j+3)], "\n"))
			}
		}
		t.Fatalf("%s: differs in length", what)
	}
	if a, b := dumpFacts(inc), dumpFacts(fresh); a != b {
		t.Fatalf("%s: facts differ:\n%s\nvs\n%s", what, a, b)
	}
}

func BenchmarkParseFactsIncremental5k(b *testing.B) {
	ctx := context.Background()
	src := GenerateModule(5000)
	f, _ := pysyntax.Parse(ctx, src)
	prev := Parse("m.py", f)
	at := strings.Index(src, "missing 100") + 1
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		nf, _ := f.Apply(ctx, []pysyntax.Edit{{Start: at, End: at, NewText: "x"}})
		prev = ParseIncremental("m.py", nf, prev)
		f = nf
	}
}

// dumpFacts renders a module's facts by offsets, checking that every node
// they point at is a node of the module's own tree.
func dumpFacts(m *Module) string {
	inTree := map[*Node]bool{}
	if m.Root != nil {
		m.Root.Walk(func(n *Node) bool { inTree[n] = true; return true })
	}
	var b strings.Builder
	node := func(n *Node) string {
		if n == nil {
			return "-"
		}
		bad := ""
		if !inTree[n] {
			bad = "FOREIGN "
		}
		start, end := m.Span(n)
		return fmt.Sprintf("%s%s[%d,%d)", bad, n.Type, start, end)
	}
	fn := func(f *Func) string {
		if f == nil {
			return "-"
		}
		var ps []string
		for _, p := range f.Params {
			ps = append(ps, fmt.Sprintf("%s%s#%d/%v", p.Name, node(p.Node), p.Index, p.Annotated))
		}
		var ds []string
		for _, d := range f.Decorators {
			ds = append(ds, node(d)+m.DecoratorName(d))
		}
		cls := ""
		if f.Class != nil {
			cls = f.Class.Name
		}
		if m.FuncOf(f.Node) != f {
			cls += " FUNCOF"
		}
		return fmt.Sprintf("%s %s %s %s %s async=%v %v %v class=%s", f.Name, node(f.NameNode), node(f.Node), node(f.Decorated), node(f.Body), f.Async, ps, ds, cls)
	}
	for _, imp := range m.Imports {
		fmt.Fprintf(&b, "import %q %q %q %s %s %s %v\n", imp.Module, imp.Name, imp.Alias, node(imp.Node), node(imp.NameNode), node(imp.Stmt), imp.TopLevel)
		if full, ok := m.ImportedAs(imp.Alias); ok {
			fmt.Fprintf(&b, "  alias %s=%s\n", imp.Alias, full)
		}
	}
	for _, c := range m.Classes {
		var bn []string
		for _, n := range c.BaseNodes {
			bn = append(bn, node(n))
		}
		fmt.Fprintf(&b, "class %s %s %s %v %v top=%v\n", c.Name, node(c.NameNode), node(c.Node), c.Bases, bn, c.TopLevel)
		for _, f := range c.Methods {
			fmt.Fprintf(&b, "  method %s\n", fn(f))
		}
	}
	for _, f := range m.Functions {
		fmt.Fprintf(&b, "function %s\n", fn(f))
	}
	for _, f := range m.AllFuncs() {
		fmt.Fprintf(&b, "func %s\n", fn(f))
	}
	for _, u := range m.EnvUses {
		fmt.Fprintf(&b, "env %s %s %s in %s\n", u.Name, node(u.NameNode), node(u.Expr), fn(u.Func))
	}
	for _, c := range m.Calls {
		fmt.Fprintf(&b, "call %s %s\n", node(c), m.Callee(c))
	}
	for _, r := range m.Returns {
		fmt.Fprintf(&b, "return %s\n", node(r))
	}
	for _, e := range m.Excepts {
		fmt.Fprintf(&b, "except %s\n", node(e))
	}
	fmt.Fprintf(&b, "errors %v\n", m.ErrorRanges)
	return b.String()
}

// TestMovedStatementsShared pins what keeps a keystroke cheap: the
// statements after an edit moved but are unchanged, so the next version
// shares them (nodes and facts) instead of copying them, and reads their
// offsets right through its own bases.
func TestMovedStatementsShared(t *testing.T) {
	ctx := context.Background()
	src := GenerateModule(400)
	f, err := pysyntax.Parse(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	prev := Parse("m.py", f)
	at := len(src) / 3
	at = strings.LastIndex(src[:at], "\n") + 1 // a line start inside an early statement
	nf, err := f.Apply(ctx, []pysyntax.Edit{{Start: at, End: at, NewText: "#"}})
	if err != nil {
		t.Fatal(err)
	}
	next := ParseIncremental("m.py", nf, prev)
	edited := next.stmtAt(at)
	shared, moved := 0, 0
	for i, s := range next.stmts {
		if s == edited {
			continue
		}
		for j, p := range prev.stmts {
			if p == s {
				shared++
				if next.bases[i] != prev.bases[j] {
					moved++
				}
			}
		}
	}
	if shared != len(next.stmts)-1 || moved == 0 {
		t.Fatalf("%d of %d unedited statements shared, %d of them moved; want all shared and some moved", shared, len(next.stmts)-1, moved)
	}
	// Offsets of a moved, shared node are this version's.
	last := next.Classes[len(next.Classes)-1]
	if got, want := next.Start(last.NameNode), strings.LastIndex(nf.Text(), "class "+last.Name)+len("class "); got != want {
		t.Fatalf("Start(last class name) = %d, want %d", got, want)
	}
	if got := prev.Start(last.NameNode); got != next.Start(last.NameNode)-1 {
		t.Fatalf("the previous version reads the same node at %d, want %d", got, next.Start(last.NameNode)-1)
	}
}

// TestEditsAtStatementEdgesMatchFresh: clean edits right at the edges of
// top-level statements (where the walk over the edited part starts and
// stops) give the facts of a fresh parse.
func TestEditsAtStatementEdgesMatchFresh(t *testing.T) {
	ctx := context.Background()
	src := GenerateModule(200)
	f, err := pysyntax.Parse(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	prev := Parse("m.py", f)
	for i, ins := range []string{"#", "\n", "x = 1\n", "\n\nclass Q:\n    pass\n", " ", "# c\n"} {
		for k := 0; k < len(prev.stmts); k += 7 {
			for _, at := range []int{prev.Start(prev.stmts[k].top()), prev.End(prev.stmts[k].top()), prev.End(prev.stmts[k].top()) + 1} {
				text := f.Text()
				if at > len(text) {
					continue
				}
				nf, err := f.Apply(ctx, []pysyntax.Edit{{Start: at, End: at, NewText: ins}})
				if err != nil {
					t.Fatal(err)
				}
				inc := ParseIncremental("m.py", nf, prev)
				requireFresh(t, fmt.Sprintf("insert %d (%q) at %d", i, ins, at), inc, nf)
				f, prev = nf, inc
			}
		}
	}
}
