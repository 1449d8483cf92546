package runtime

import (
	"context"
	"testing"
	"time"
)

func TestScratchHello(t *testing.T) {
	e := NewEngine(EngineOptions{})
	t0 := time.Now()
	if err := e.Warm(context.Background(), func(m string, p int) { t.Logf("warm %d%% %s (%v)", p, m, time.Since(t0)) }); err != nil {
		t.Fatal(err)
	}
	spec := WorkerSpec{ProjectDir: "../testdata/runtime/hello", Main: "src/entry.py", CompatibilityDate: "2025-10-01",
		CompatibilityFlags: []string{"python_workers"}, Vars: map[string]any{"GREETING": "hello"}}
	for i := 0; i < 3; i++ {
		t1 := time.Now()
		res, err := e.RunFetch(context.Background(), spec, HTTPRequest{URL: "http://localhost:8787/?name=go"})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: %v status=%d body=%q headers=%v err=%+v logs=%v", i, time.Since(t1), res.Status, res.Body, res.Headers, res.Error, res.Logs)
	}
}
