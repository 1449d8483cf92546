package rules

import "testing"

func TestPW029(t *testing.T) {
	for date, sev := range map[string]Severity{"2027-01-01": Error, "2026-13-01": Error, "yesterday": Error} {
		in := worker(t, map[string]string{"src/entry.py": okEntry, "wrangler.jsonc": jsoncConfig(date, `"python_workers"`, "")}, "")
		d := expectOne(t, in, "wrangler.jsonc", "PW029", `"`+date+`"`)
		if d.Severity != sev {
			t.Errorf("%s: severity %v", date, d.Severity)
		}
		if got := fixed(t, in, d, "Set compatibility_date to today", "wrangler.jsonc"); !containsAll(got, `"compatibility_date": "2026-08-01"`) {
			t.Errorf("fix:\n%s", got)
		}
	}
	in := worker(t, map[string]string{"src/entry.py": okEntry, "wrangler.toml": "name = \"w\"\nmain = \"src/entry.py\"\ncompatibility_flags = [\"python_workers\"]\n"}, "")
	if d := expectOne(t, in, "wrangler.toml", "PW029", "compatibility_flags"); d.Severity != Warning {
		t.Errorf("missing: severity %v", d.Severity)
	}
}

func TestPW029Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": okEntry}, "")
	expectNone(t, in, "wrangler.jsonc", "PW029")
	in = worker(t, map[string]string{"src/entry.py": okEntry, "wrangler.toml": "name = \"w\"\nmain = \"src/entry.py\"\ncompatibility_date = 2026-01-01\ncompatibility_flags = [\"python_workers\"]\n"}, "")
	expectNone(t, in, "wrangler.toml", "PW029")
}
