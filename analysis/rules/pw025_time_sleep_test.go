package rules

import (
	"strings"
	"testing"
)

func TestPW025(t *testing.T) {
	src := "import time\n\nasync def handler():\n    time.sleep(1)\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	d := expectOne(t, in, "src/entry.py", "PW025", "time.sleep(1)")
	want := "import time\nimport asyncio\n\nasync def handler():\n    await asyncio.sleep(1)\n"
	if got := fixed(t, in, d, "Use await asyncio.sleep", "src/entry.py"); got != want {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW025Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "import time\n\ndef sync_helper():\n    time.sleep(1)\n"}, "")
	expectNone(t, in, "src/entry.py", "PW025")
}

// A block indented by 256 columns or more used to break the parse of the
// rest of the file, silencing every diagnostic after it (issue 17 item 8).
func TestDiagnosticsAfterDeepIndentation(t *testing.T) {
	deep := strings.Repeat(" ", 256)
	src := "import time\n\ndef helper(x):\n    if x:\n" + deep + "return 1\n    return 2\n\nasync def handler():\n    time.sleep(1)\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	expectOne(t, in, "src/entry.py", "PW025", "time.sleep(1)")
}
