package rules

import "testing"

func TestPW009(t *testing.T) {
	src := "import random\nimport numpy as np\nfrom uuid import uuid4\nfrom workers import WorkerEntrypoint\n\nTOKEN = uuid4()\nrng = np.random.default_rng(1)\nNOISE = np.random.rand(3)\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return random.random()\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW009")
	if len(ds) != 2 || textAt(t, in, ds[0]) != "uuid4()" || textAt(t, in, ds[1]) != "np.random.rand(3)" {
		t.Fatalf("got %+v", ds)
	}
	if ds[0].Severity != Error {
		t.Errorf("severity %v", ds[0].Severity)
	}
	want := "import random\nimport numpy as np\nfrom uuid import uuid4\nfrom workers import WorkerEntrypoint\n\nrng = np.random.default_rng(1)\nNOISE = np.random.rand(3)\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        TOKEN = uuid4()\n        return random.random()\n"
	if got := fixed(t, in, ds[0], "Move this statement into the handler", "src/entry.py"); got != want {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW009WarningBeforeRNGCheck(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "import random\nrandom.seed(4)\n",
		"wrangler.jsonc": jsoncConfig("2025-10-01", `"python_workers"`, "")}, "")
	if d := expectOne(t, in, "src/entry.py", "PW009", "random.seed(4)"); d.Severity != Warning {
		t.Errorf("severity %v", d.Severity)
	}
}

func TestPW009Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "import random\n\ndef f():\n    return random.random()\n\nif __name__ == \"__main__\":\n    random.seed(1)\n"}, "")
	expectNone(t, in, "src/entry.py", "PW009")
}
