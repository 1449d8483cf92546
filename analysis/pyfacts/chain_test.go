package pyfacts

import (
	"strings"
	"testing"
)

// chainText renders a chain as "await? root.op..." for comparisons.
func chainText(c *Chain) string {
	if c == nil {
		return "<nil>"
	}
	var b strings.Builder
	if c.Awaited {
		b.WriteString("await ")
	}
	if c.Inner != nil {
		b.WriteString("(" + chainText(c.Inner) + ")")
	} else {
		b.WriteString(c.Name)
	}
	for _, o := range c.Ops {
		switch o.Kind {
		case OpAttr:
			b.WriteString("." + o.Name)
		case OpCall:
			b.WriteString("()")
		case OpIndex:
			b.WriteString("[]")
		}
	}
	return b.String()
}

// cut removes the "<|>" marker from src and returns its offset.
func cut(t *testing.T, src string) (string, int) {
	t.Helper()
	off := strings.Index(src, "<|>")
	if off < 0 {
		t.Fatalf("no marker in %q", src)
	}
	return src[:off] + src[off+3:], off
}

func TestChainBeforeHalfTyped(t *testing.T) {
	const def = "class A:\n    def f(self):\n"
	cases := []struct{ name, src, want string }{
		{"trailing dot", def + "        self.env.<|>\n", "self.env"},
		{"trailing dot at EOF", def + "        self.env.<|>", "self.env"},
		{"call chain", def + "        self.env.DB.prepare(\"x\").<|>\n", "self.env.DB.prepare()"},
		{"assignment above a line", def + "        x = self.env.<|>\n        cached = 1\n", "self.env"},
		{"assignment above a return", def + "        x = self.env.<|>\n        return cached\n", "self.env"},
		{"unclosed call", def + "        return Response(self.env.<|>\n", "self.env"},
		{"await is not the receiver", def + "        await self.env.<|>\n", "self.env"},
		{"parenthesized await", def + "        (await self.env.BUCKET.get(key)).<|>\n", "(await self.env.BUCKET.get())"},
		{"subscript", def + "        batch.messages[0].<|>\n", "batch.messages[]"},
		{"half-typed line before more code", def + "        self.env.<|>\n\n    def g(self):\n        return 1\n", "self.env"},
		{"name on the next line starts its own chain", def + "        x = self.env.\n        cached.<|>\n", "cached"},
		{"a literal has no chain", def + "        'abc'.<|>\n", "<nil>"},
		{"a space before the dot", def + "        self.env .<|>\n", "<nil>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, off := cut(t, tc.src)
			m := parse(t, src)
			if got := chainText(m.ChainBefore(off - 1)); got != tc.want {
				t.Errorf("ChainBefore = %s, want %s\n%s", got, tc.want, dumpTree(m))
			}
		})
	}
}

func TestChainOf(t *testing.T) {
	m := parse(t, "async def f(self):\n    res = await self.env.DB.prepare(sql).bind(1).all()\n    y = a or b\n")
	f := m.Function("f")
	if b := m.LastBinding(f, "res", len(m.Src)); b == nil || chainText(m.ChainOf(b.Value)) != "await self.env.DB.prepare().bind().all()" {
		t.Errorf("res = %+v", b)
	}
	if b := m.LastBinding(f, "y", len(m.Src)); b == nil || m.ChainOf(b.Value) != nil {
		t.Errorf("an operator expression is no chain: %+v", b)
	}
}

func TestSplitByNewline(t *testing.T) {
	cases := []struct {
		src  string
		want bool
	}{
		{"x = self.env.\ncached = 1\n", true},
		{"x = self.env.DB\n", false},
		{"x = (self.env.\n     DB)\n", false}, // valid Python inside brackets
		{"x = self.env.\\\n    DB\n", false},  // a backslash continuation
	}
	for _, tc := range cases {
		m := parse(t, tc.src)
		var outer *Node
		m.Root.Walk(func(n *Node) bool {
			if outer == nil && n.Type == "attribute" {
				outer = n
			}
			return true
		})
		if outer == nil {
			t.Fatalf("%q: no attribute", tc.src)
		}
		if got := m.SplitByNewline(outer); got != tc.want {
			t.Errorf("%q: SplitByNewline = %v, want %v", tc.src, got, tc.want)
		}
	}
}

// Issue 16 item 3: `x = self.env.` typed above an existing line must not
// make the next line's name an env use (PW004 reads EnvUses).
func TestEnvUsesIgnoreChainSplitByNewline(t *testing.T) {
	for _, src := range []string{
		"class A:\n    async def fetch(self, request):\n        x = self.env.\n        cached = 1\n",
		"class A:\n    async def fetch(self, request):\n        x = self.env.\n        return cached\n",
		"class A:\n    async def fetch(self, request):\n        x = foo(self.env.\n        cached = 1\n",
	} {
		m := parse(t, src)
		for _, u := range m.EnvUses {
			t.Errorf("%q: env use %s", src, u.Name)
		}
	}
	m := parse(t, "class A:\n    async def fetch(self, request):\n        x = (self.env.\n             DB)\n")
	if len(m.EnvUses) != 1 || m.EnvUses[0].Name != "DB" {
		t.Errorf("a chain over lines inside brackets is a use: %+v", m.EnvUses)
	}
}

func TestInCommentOrString(t *testing.T) {
	cases := []struct {
		src  string
		want bool
	}{
		{"def f(self):\n    # self.env.<|>\n", true},
		{"def f(self):\n    s = 'self.env.<|>'\n", true},
		{"def f(self):\n    s = 'self.env.<|>\n", true}, // unterminated
		{"def f(self):\n    s = 'a' + self.env.<|>\n", false},
		{"def f(self):\n    self.env.<|>\n", false},
	}
	for _, tc := range cases {
		src, off := cut(t, tc.src)
		if got := parse(t, src).InCommentOrString(off); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.src, got, tc.want)
		}
	}
}

func TestOpenCallAt(t *testing.T) {
	const def = "async def f(self):\n"
	cases := []struct {
		name, src, callee string
		arg               int
		keyword           string
	}{
		{"first argument", def + "    await self.env.CACHE.put(<|>\n", "self.env.CACHE.put", 0, ""},
		{"second argument, closed", def + "    await self.env.CACHE.put('k', <|>)\n", "self.env.CACHE.put", 1, ""},
		{"keyword", def + "    await self.env.CACHE.put('k', v, expirationTtl=<|>)\n", "self.env.CACHE.put", 2, "expirationTtl"},
		{"after a nested call", def + "    await self.env.CACHE.put(str(1), <|>)\n", "self.env.CACHE.put", 1, ""},
		{"inside a nested call", def + "    await self.env.CACHE.put(str(1), g(a, b<|>))\n", "g", 1, ""},
		{"brackets in strings do not count", def + "    x.put(')', '(', <|>\n", "x.put", 2, ""},
		{"multi-line, unclosed", def + "    await self.env.BUCKET.put(\n        key,\n        <|>\n", "self.env.BUCKET.put", 1, ""},
		{"a comparison is no keyword", def + "    x.put(a == <|>)\n", "x.put", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, off := cut(t, tc.src)
			c := parse(t, src).OpenCallAt(off)
			if c == nil {
				t.Fatal("no open call")
			}
			if got := chainText(c.Callee); got != tc.callee || c.Arg != tc.arg || c.Keyword != tc.keyword {
				t.Errorf("got %s arg %d keyword %q, want %s %d %q", got, c.Arg, c.Keyword, tc.callee, tc.arg, tc.keyword)
			}
		})
	}
	for _, src := range []string{def + "    x = [1, <|>]\n", def + "    if f(x):\n        <|>\n", def + "    print(x)\n    <|>\n"} {
		src, off := cut(t, src)
		if c := parse(t, src).OpenCallAt(off); c != nil {
			t.Errorf("%q: want no call, got %+v", src, c)
		}
	}
}

func TestLocals(t *testing.T) {
	src := `class C(DurableObject):
    async def increment(self, by=1, *, scale: int = 2, **kw):
        """Add to the counter."""
        env = self.env
        for msg in batch.messages:
            pass
        def inner():
            hidden = 1
            use(<|>env)
        x: Env = self.env
`
	src, off := cut(t, src)
	m := parse(t, src)
	funcs := m.FuncsAt(off)
	if len(funcs) != 2 || funcs[0].Name != "inner" || funcs[1].Name != "increment" || funcs[1].Class == nil || funcs[1].ModuleLevel() {
		t.Fatalf("FuncsAt = %+v", funcs)
	}
	inc := funcs[1]
	if got := strings.Join(m.ParamsAsWritten(inc), "|"); got != "by=1|*|scale: int = 2|**kw" {
		t.Errorf("ParamsAsWritten = %s", got)
	}
	if p := inc.Param("by"); p == nil || p.Index != 1 || p.Annotated {
		t.Errorf("by = %+v", p)
	}
	if p := inc.Param("scale"); p == nil || p.Index != -1 || !p.Annotated {
		t.Errorf("scale = %+v", p)
	}
	if got := m.Docstring(inc); got != "Add to the counter." {
		t.Errorf("Docstring = %q", got)
	}
	if b := m.LastBinding(inc, "env", off); b == nil || b.Kind != BindAssign || m.Text(b.Value) != "self.env" {
		t.Errorf("env = %+v", b)
	}
	if b := m.LastBinding(inc, "msg", off); b == nil || b.Kind != BindFor || m.Text(b.Value) != "batch.messages" {
		t.Errorf("msg = %+v", b)
	}
	if b := m.LastBinding(inc, "hidden", off); b != nil {
		t.Errorf("a nested def's binding counts: %+v", b)
	}
	if b := m.LastBinding(inc, "x", off); b != nil {
		t.Errorf("a binding after the offset counts: %+v", b)
	}
	if b := m.LastBinding(inc, "x", len(src)); b == nil || b.Kind != BindAnnotated {
		t.Errorf("annotated x = %+v", b)
	}
}
