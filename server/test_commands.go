package server

import (
	"context"
	"encoding/json"
	"os"
	"time"
)

// Commands that exist only when PYWORKERS_TEST=1, so end-to-end tests can
// check cancellation and panic recovery through the real wire.
const (
	commandTestSleep = "pyworkers.internal.testSleep"
	commandTestPanic = "pyworkers.internal.testPanic"
)

func init() {
	if os.Getenv("PYWORKERS_TEST") != "1" {
		return
	}
	registerCommand(commandTestSleep, func(ctx context.Context, s *Server, snap *Snapshot, args json.RawMessage) (any, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(30 * time.Second):
			return "slept", nil
		}
	})
	registerCommand(commandTestPanic, func(ctx context.Context, s *Server, snap *Snapshot, args json.RawMessage) (any, error) {
		var m map[string]int
		//lint:ignore SA5000 the nil-map write is the point: a real runtime panic
		m["boom"]++
		return nil, nil
	})
}
