package rules

import "testing"

func TestPW024(t *testing.T) {
	src := "import asyncio\n\nasync def work():\n    return 1\n\nasync def handler():\n    return asyncio.run(work())\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	d := expectOne(t, in, "src/entry.py", "PW024", "asyncio.run(work())")
	if got := fixed(t, in, d, "Await it", "src/entry.py"); !containsAll(got, "return await work()") {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW024Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "import asyncio\n\nasync def work():\n    return await asyncio.sleep(1)\n\nif __name__ == \"__main__\":\n    asyncio.run(work())\n"}, "")
	expectNone(t, in, "src/entry.py", "PW024")
}
