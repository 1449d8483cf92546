package server

import "sync"

// runtimeState owns the embedded Python runtime for code lenses. The
// runtime is compiled in the background after initialized, never on a
// keystroke.
type runtimeState struct {
	s    *Server
	once sync.Once
}

func newRuntimeState(s *Server) *runtimeState { return &runtimeState{s: s} }

// warmInBackground starts compiling the runtime; a no-op until the runtime
// is wired in.
func (r *runtimeState) warmInBackground() {}

func (r *runtimeState) close() {}
