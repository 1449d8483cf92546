package rules

import "testing"

func TestPW023(t *testing.T) {
	src := "from pyodide.ffi import to_js\n\nasync def f(env):\n    await env.AI.run(\"m\", to_js({\"prompt\": \"hi\"}))\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	d := expectOne(t, in, "src/entry.py", "PW023", `to_js({"prompt": "hi"})`)
	want := "from pyodide.ffi import to_js\nfrom js import Object\n\nasync def f(env):\n    await env.AI.run(\"m\", to_js({\"prompt\": \"hi\"}, dict_converter=Object.fromEntries))\n"
	if got := fixed(t, in, d, "Add dict_converter", "src/entry.py"); got != want {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW023Negative(t *testing.T) {
	src := "from pyodide.ffi import to_js\nfrom js import Object\n\ndef f():\n    to_js({\"a\": 1}, dict_converter=Object.fromEntries)\n    to_js([1, 2])\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	expectNone(t, in, "src/entry.py", "PW023")
}
