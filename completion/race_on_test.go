//go:build race

package completion

// raceEnabled: timing checks are meaningless under the race detector,
// which slows code down 5–20×.
const raceEnabled = true
