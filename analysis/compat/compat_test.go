package compat

import "testing"

// One case per row of versions.md's selection table, and its edges.
func TestRuntimeSelection(t *testing.T) {
	cases := []struct {
		date    string
		flags   []string
		python  string
		pyodide string
	}{
		{"2026-07-01", []string{"python_workers", "python_workers_20260610"}, "3.14.2", "314.0.4"},
		{"2024-01-01", []string{"python_workers", "python_workers_20260610"}, "3.14.2", "314.0.4"},
		{"2024-01-01", []string{"python_workers", "python_workers_20250116"}, "3.13.2", "0.28.2"},
		{"2025-09-29", []string{"python_workers"}, "3.13.2", "0.28.2"},
		{"2025-09-28", []string{"python_workers"}, "3.12.1", "0.26.0a2"},
		{"2026-01-01", []string{"python_workers", "no_python_workers_20250116"}, "3.12.1", "0.26.0a2"},
		{"2026-09-01", []string{"python_workers", "python_workers_20260817"}, "3.13.2", "0.28.2"}, // experimental flag missing
		{"2026-09-01", []string{"python_workers", "python_workers_20260817", "experimental"}, "3.14.2", "314.0.5"},
		{"", []string{"python_workers"}, "3.12.1", "0.26.0a2"},
	}
	for _, c := range cases {
		r := Resolve(c.date, c.flags)
		if r.Runtime.Python != c.python || r.Runtime.Pyodide != c.pyodide {
			t.Errorf("%s %v: got %s/%s, want %s/%s", c.date, c.flags, r.Runtime.Python, r.Runtime.Pyodide, c.python, c.pyodide)
		}
		if r.Runtime.SelectedBy == "" {
			t.Errorf("%s %v: no reason", c.date, c.flags)
		}
	}
}

func TestDatedFlags(t *testing.T) {
	for _, f := range DatedFlags {
		if !Resolve(f.From, nil).Enabled[f.Name] {
			t.Errorf("%s should be on from %s", f.Name, f.From)
		}
		if Resolve("2024-01-01", nil).Enabled[f.Name] {
			t.Errorf("%s should be off in 2024", f.Name)
		}
		if !Resolve("2024-01-01", []string{f.Name}).Enabled[f.Name] {
			t.Errorf("%s explicit flag should turn it on", f.Name)
		}
	}
	if Resolve("2026-01-01", []string{"disable_python_workflows"}).Enabled["python_workflows"] {
		t.Error("disable_python_workflows must opt out")
	}
	if Resolve("2025-08-13", nil).Enabled["python_no_global_handlers"] {
		t.Error("python_no_global_handlers off the day before")
	}
}

func TestBadDates(t *testing.T) {
	for _, d := range []string{"", "2025-13-01", "yesterday", "2025/01/01"} {
		if Resolve(d, nil).DateErr == nil {
			t.Errorf("%q: want a date error", d)
		}
	}
}
