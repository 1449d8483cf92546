package rules

import "testing"

func TestPW019(t *testing.T) {
	src := "import pandas as pd\nfrom workers import WorkerEntrypoint, Response\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return Response(str(pd.DataFrame()))\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	d := expectOne(t, in, "src/entry.py", "PW019", "pandas")
	if d.Severity != Information {
		t.Errorf("severity %v", d.Severity)
	}
	want := "from workers import WorkerEntrypoint, Response\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        import pandas as pd\n        return Response(str(pd.DataFrame()))\n"
	if got := fixed(t, in, d, "Import lazily", "src/entry.py"); got != want {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW019Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "import json\n\ndef f():\n    import pandas\n"}, "")
	expectNone(t, in, "src/entry.py", "PW019")
}
