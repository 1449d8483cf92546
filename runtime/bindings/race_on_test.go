//go:build race

package bindings

// raceEnabled: timing checks are meaningless under the race detector,
// which slows the interpreter down many times.
const raceEnabled = true
