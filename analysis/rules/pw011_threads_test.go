package rules

import "testing"

func TestPW011(t *testing.T) {
	src := "import threading\nfrom concurrent.futures import ThreadPoolExecutor\nimport multiprocessing\n\nasync def f(loop):\n    threading.Thread(target=f).start()\n    ThreadPoolExecutor(4)\n    await loop.run_in_executor(None, f)\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW011")
	if len(ds) != 4 || textAt(t, in, ds[0]) != "multiprocessing" || textAt(t, in, ds[1]) != "threading.Thread(target=f)" {
		t.Fatalf("got %+v", ds)
	}
}

func TestPW011Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "import asyncio\n\nasync def f():\n    await asyncio.gather(f(), f())\n"}, "")
	expectNone(t, in, "src/entry.py", "PW011")
}
