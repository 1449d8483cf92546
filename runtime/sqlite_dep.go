package runtime

// The simulated D1 and Durable Object storage use SQLite through
// modernc.org/sqlite (pure Go); imported here so go.mod pins it until the
// bindings package uses it directly.
import _ "modernc.org/sqlite"
