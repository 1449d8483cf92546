package rules

import "testing"

func TestPW028(t *testing.T) {
	src := "from workers import WorkerEntrypoint\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        if request.method == \"GET\":\n            return {\"ok\": True}\n        if request.method == \"HEAD\":\n            return\n        return \"hello\"\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW028")
	if len(ds) != 3 || textAt(t, in, ds[0]) != `{"ok": True}` || textAt(t, in, ds[1]) != "return" || textAt(t, in, ds[2]) != `"hello"` {
		t.Fatalf("got %+v", ds)
	}
	got := fixed(t, in, ds[0], "Wrap in Response.json", "src/entry.py")
	if !containsAll(got, "from workers import WorkerEntrypoint, Response\n", `return Response.json({"ok": True})`) {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW028Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": okEntry + "\n    async def other(self):\n        return \"x\"\n"}, "")
	expectNone(t, in, "src/entry.py", "PW028")
}
