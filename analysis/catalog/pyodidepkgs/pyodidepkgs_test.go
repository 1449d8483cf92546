package pyodidepkgs

import (
	"strings"
	"testing"
)

func TestVersionsStored(t *testing.T) {
	want := map[string]string{ // pyodide -> python it embeds
		"0.27.7":  "3.12.7",
		"0.28.2":  "3.13.2",
		"0.28.3":  "3.13.2",
		"314.0.2": "3.14.0",
		"314.0.4": "3.14.0",
	}
	for v, py := range want {
		ix, err := ForPyodide(v)
		if err != nil {
			t.Fatal(err)
		}
		if ix.Version() != v || ix.Python() != py {
			t.Errorf("ForPyodide(%s) = version %s python %s, want python %s", v, ix.Version(), ix.Python(), py)
		}
		if n := len(ix.Packages()); n < 200 {
			t.Errorf("%s lists only %d packages", v, n)
		}
	}
	if _, err := ForPyodide("0.1.0"); err == nil {
		t.Error("ForPyodide of an unknown version succeeded")
	}
}

func TestAliasesAndPython(t *testing.T) {
	ix, err := ForPyodide("0.26.0a2")
	if err != nil || ix.Version() != "0.27.7" {
		t.Fatalf("0.26.0a2 -> %v, %v; want the 0.27.7 list", ix, err)
	}
	for py, pyo := range map[string]string{"3.12": "0.27.7", "3.13.2": "0.28.2", "3.14": "314.0.2"} {
		ix, err := ForPython(py)
		if err != nil || ix.Version() != pyo {
			t.Errorf("ForPython(%s) = %v, %v; want %s", py, ix, err, pyo)
		}
	}
	if _, err := ForPython("2.7"); err == nil {
		t.Error("ForPython(2.7) succeeded")
	}
}

func TestHasNormalizes(t *testing.T) {
	ix, _ := ForPyodide("0.28.2")
	for _, name := range []string{"numpy", "NumPy", "pydantic_core", "Pydantic.Core", "ruamel.yaml", "opencv-python", "ssl"} {
		if !ix.Has(name) {
			t.Errorf("0.28.2 should have %s", name)
		}
	}
	if ix.Has("psycopg2") || ix.Has("grpcio") || ix.Has("no-such-package-here") {
		t.Error("0.28.2 has a package it should not")
	}
	p, ok := ix.ProvidingImport("cv2")
	if !ok || p.Name != "opencv-python" || p.Kind != "native" {
		t.Errorf("cv2 -> %+v, %v", p, ok)
	}
	if p, _ := ix.Package("pydantic"); p.Kind != "pure" {
		t.Errorf("pydantic kind %q, want pure", p.Kind)
	}
	if p, _ := ix.Package("sqlite3"); p.Kind != "stdlib" {
		t.Errorf("sqlite3 kind %q, want stdlib", p.Kind)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"Foo_Bar": "foo-bar", "a..b--c__d": "a-b-c-d", " X ": "x", "zope.interface": "zope-interface"} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every known-native entry must be missing from at least one selectable
// Pyodide, or it would never fire; the common ones from all three defaults.
func TestKnownNativeAgainstLists(t *testing.T) {
	defaults := []string{"0.27.7", "0.28.2", "314.0.2"}
	for name, alt := range knownNative {
		if Normalize(name) != name {
			t.Errorf("knownNative key %q is not normalized", name)
		}
		if alt == "" {
			t.Errorf("%s has no alternative", name)
		}
		missing := 0
		for _, v := range Versions() {
			if ix, _ := ForPyodide(v); !ix.Has(name) {
				missing++
			}
		}
		if missing == 0 {
			t.Errorf("%s is listed as known native but every Pyodide builds it", name)
		}
	}
	for _, name := range []string{"psycopg2", "psycopg2-binary", "grpcio", "uvloop", "asyncpg", "torch"} {
		if _, ok := KnownNative(name); !ok {
			t.Errorf("%s should be known native", name)
		}
		for _, v := range defaults {
			if ix, _ := ForPyodide(v); ix.Has(name) {
				t.Errorf("%s is built for Pyodide %s: update knownNative", name, v)
			}
		}
	}
	if alt, ok := KnownNative("Psycopg2_Binary"); !ok || !strings.Contains(alt, "Hyperdrive") {
		t.Errorf("KnownNative(Psycopg2_Binary) = %q, %v", alt, ok)
	}
	if _, ok := KnownNative("lxml"); ok {
		t.Error("lxml is built for every Pyodide: it must not be known native")
	}
}

func TestUnavailable(t *testing.T) {
	ix313, _ := ForPyodide("0.28.2")
	ix312, _ := ForPyodide("0.27.7")
	if reason, bad := ix313.Unavailable("psycopg2"); !bad || !strings.Contains(reason, "Hyperdrive") {
		t.Errorf("psycopg2 on 0.28.2: %q, %v", reason, bad)
	}
	// duckdb is built for 0.27.7 and 314.x but not for 0.28.x.
	if reason, bad := ix313.Unavailable("duckdb"); !bad || !strings.Contains(reason, "0.27.7") {
		t.Errorf("duckdb on 0.28.2: %q, %v", reason, bad)
	}
	if _, bad := ix312.Unavailable("duckdb"); bad {
		t.Error("duckdb is built for 0.27.7")
	}
	// Unknown packages may be pure Python on PyPI: not flagged.
	for _, name := range []string{"fastapi", "some-pure-python-lib", "numpy"} {
		if reason, bad := ix313.Unavailable(name); bad {
			t.Errorf("%s flagged: %s", name, reason)
		}
	}
	// mysqlclient is built for the experimental 314.0.5 only.
	if ix, err := ForPyodide("314.0.5"); err == nil {
		if _, bad := ix.Unavailable("mysqlclient"); bad {
			t.Error("mysqlclient is built for 314.0.5")
		}
	}
}
