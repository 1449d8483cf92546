package rules

import (
	"strings"
	"testing"
)

const workflowModule = `from workers import WorkflowEntrypoint

class Flow(WorkflowEntrypoint):
    async def run(self, event, step):
        pass
`

func TestPW003BeforeDate(t *testing.T) {
	cfg := jsoncConfig("2025-06-01", `"python_workers"`, `,
  "workflows": [{ "binding": "FLOW", "name": "flow", "class_name": "Flow" }]`)
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": workflowModule}, "")
	d := expectOne(t, in, "wrangler.jsonc", "PW003", `"workflows"`)
	if got := fixed(t, in, d, "Add the python_workflows", "wrangler.jsonc"); !strings.Contains(got, `["python_workers", "python_workflows"]`) {
		t.Errorf("fix:\n%s", got)
	}
	expectOne(t, in, "src/entry.py", "PW003", "WorkflowEntrypoint")
}

func TestPW003EnabledByFlagOrDate(t *testing.T) {
	for _, cfg := range []string{
		jsoncConfig("2025-06-01", `"python_workers", "python_workflows"`, ""),
		jsoncConfig("2025-09-20", `"python_workers"`, ""),
	} {
		in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": workflowModule}, "")
		expectNone(t, in, "wrangler.jsonc", "PW003")
		expectNone(t, in, "src/entry.py", "PW003")
	}
}
