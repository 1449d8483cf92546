package rules

import "testing"

func TestPW022(t *testing.T) {
	src := "from workers import DurableObject\n\nclass C(DurableObject):\n    async def fetch(self, request):\n        try:\n            pass\n        except:\n            pass\n        try:\n            pass\n        except BaseException as e:\n            pass\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW022")
	if len(ds) != 2 || textAt(t, in, ds[0]) != "except" || textAt(t, in, ds[1]) != "except BaseException" {
		t.Fatalf("got %+v", ds)
	}
	if got := fixed(t, in, ds[0], "Catch Exception", "src/entry.py"); !containsAll(got, "        except Exception:\n            pass\n        try") {
		t.Errorf("fix:\n%s", got)
	}
	if got := fixed(t, in, ds[1], "Catch Exception", "src/entry.py"); !containsAll(got, "except Exception as e:") {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW022Negative(t *testing.T) {
	src := "from workers import DurableObject, WorkerEntrypoint\n\nclass C(DurableObject):\n    async def fetch(self, request):\n        try:\n            pass\n        except BaseException:\n            raise\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        try:\n            pass\n        except:\n            pass\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	expectNone(t, in, "src/entry.py", "PW022")
}
