package rules

import "testing"

func TestPW008(t *testing.T) {
	src := "from pyodide.ffi import create_proxy, to_py\n\nasync def f(x):\n    return to_py(x.data)\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	d := expectOne(t, in, "src/entry.py", "PW008", "to_py")
	want := "from pyodide.ffi import create_proxy\n\nasync def f(x):\n    return x.data.to_py()\n"
	if got := fixed(t, in, d, "Use the .to_py()", "src/entry.py"); got != want {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW008Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "from pyodide.ffi import to_js\n\ndef f(x):\n    return x.to_py()\n"}, "")
	expectNone(t, in, "src/entry.py", "PW008")
}
