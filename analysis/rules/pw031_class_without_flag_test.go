package rules

import "testing"

func TestPW031(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": okEntry, "wrangler.jsonc": jsoncConfig("2024-03-20", `"python_workers"`, "")}, "")
	d := expectOne(t, in, "src/entry.py", "PW031", "Default")
	if got := fixed(t, in, d, "Add the python_no_global_handlers", "wrangler.jsonc"); !containsAll(got, `["python_workers", "python_no_global_handlers"]`) {
		t.Errorf("fix:\n%s", got)
	}
	if got := fixed(t, in, d, "Set compatibility_date to 2025-08-14", "wrangler.jsonc"); !containsAll(got, `"compatibility_date": "2025-08-14"`) {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW031Negative(t *testing.T) {
	for _, cfg := range []string{jsoncConfig("2024-03-20", `"python_workers", "python_no_global_handlers"`, ""), jsoncConfig("2025-08-14", `"python_workers"`, "")} {
		in := worker(t, map[string]string{"src/entry.py": okEntry, "wrangler.jsonc": cfg}, "")
		expectNone(t, in, "src/entry.py", "PW031")
	}
}
