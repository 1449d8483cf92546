package actors

import (
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// TestWorkflowInstanceControl: createBatch, pause, resume, terminate and
// restart from a handler, checked against the persisted instance state.
func TestWorkflowInstanceControl(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec, _ := workspace(t, sdk)
			res := fetchPath(t, spec, "/wf-control")
			if string(res.Body) != `{"batch": ["b1", "b2"], "paused": "paused", "resumed": "running", "terminated": "terminated"}` {
				t.Fatalf("body %s\n%s", res.Body, logText(res))
			}
			for id, want := range map[string]string{"b1": StatusWaiting, "b2": StatusWaiting, "ctl": StatusTerminated} {
				st, err := WorkflowStatus(spec, id)
				if err != nil || st.Status != want {
					t.Fatalf("%s: %v %+v, want %s\n%s", id, err, st, want, logText(res))
				}
			}
			// restart throws the stored steps away: they run again.
			res = fetchPath(t, spec, "/wf-restart")
			if string(res.Body) != "restarted" || !strings.Contains(logText(res), "side effect: load") {
				t.Fatalf("restart: %s\n%s", res.Body, logText(res))
			}
			if st, err := WorkflowStatus(spec, "b1"); err != nil || st.Status != StatusWaiting {
				t.Fatalf("b1 after restart: %v %+v", err, st)
			}
		})
	}
}
