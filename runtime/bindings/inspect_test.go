package bindings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Inspect reads what runs left, on real SQLite, without creating anything.
func TestInspectReadsTheLocalState(t *testing.T) {
	dir := t.TempDir()
	if inv, ok, err := Inspect(dir, "kv_namespaces", "ns", 10); !ok || err != nil || inv.Count != 0 {
		t.Fatalf("no state yet: %+v %v %v", inv, ok, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("Inspect created files: %v", entries)
	}

	past := time.Now().Add(-2 * time.Hour)
	s := New(Options{StateDir: dir, Now: func() time.Time { return past }})
	defer s.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.KVPut("ns", "b", []byte("two"), 0))
	must(s.KVPut("ns", "a", []byte(`{"json": true}`), 0))
	must(s.KVPut("ns", "gone", []byte("x"), time.Minute)) // expired an hour and 59 minutes ago
	must(s.KVPut("ns", "later", []byte("y"), 24*time.Hour))
	must(s.KVPut("other", "z", []byte("not this namespace"), 0))
	if _, err := s.D1Execute("shop", "CREATE TABLE items (n); INSERT INTO items VALUES (1), (2); CREATE TABLE empty (x)"); err != nil {
		t.Fatal(err)
	}
	must(s.R2PutObject("files", "a/b.txt", []byte("hello"), "text/plain"))
	must(s.queueInsert("jobs", []queued{{msg: QueueMessage{Body: []byte(`{"job":1}`), ContentType: "json"}}}))

	for _, tc := range []struct {
		kind, resource string
		count          int
		items          []StateItem
	}{
		{"kv_namespaces", "ns", 3, []StateItem{{Name: "a", Detail: `{"json": true}`}, {Name: "b", Detail: "two"}}},
		{"d1_databases", "shop", 2, []StateItem{{Name: "empty", Detail: "0 rows"}, {Name: "items", Detail: "2 rows"}}},
		{"r2_buckets", "files", 1, []StateItem{{Name: "a/b.txt", Detail: "5 bytes"}}},
		{"queues.producers", "jobs", 1, nil},
	} {
		inv, ok, err := Inspect(dir, tc.kind, tc.resource, 2)
		if !ok || err != nil || inv.Count != tc.count {
			t.Errorf("%s: %+v %v %v", tc.kind, inv, ok, err)
			continue
		}
		if tc.items != nil {
			if len(inv.Items) != len(tc.items) {
				t.Errorf("%s: items %+v, want %+v", tc.kind, inv.Items, tc.items)
				continue
			}
			for i := range tc.items {
				if inv.Items[i].Name != tc.items[i].Name || inv.Items[i].Detail != tc.items[i].Detail {
					t.Errorf("%s: items %+v, want %+v", tc.kind, inv.Items, tc.items)
				}
			}
		} else if len(inv.Items) != 1 || inv.Items[0].Detail != `{"job":1}` {
			t.Errorf("%s: items %+v", tc.kind, inv.Items)
		}
	}
	if _, ok, _ := Inspect(dir, "durable_objects", "X", 1); ok {
		t.Error("Durable Objects are package actors' to read")
	}
	if _, err := os.Stat(filepath.Join(dir, "d1", "nothing.sqlite")); !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if inv, _, err := Inspect(dir, "d1_databases", "nothing", 5); err != nil || inv.Count != 0 {
		t.Errorf("a database never used: %+v %v", inv, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "d1", "nothing.sqlite")); !os.IsNotExist(err) {
		t.Error("Inspect created the database file")
	}
}

func TestPreviewShortensAndLabelsBinary(t *testing.T) {
	if p := Preview([]byte("a\n  b\tc")); p != "a b c" {
		t.Errorf("whitespace: %q", p)
	}
	if p := Preview([]byte{0xff, 0xfe, 0}); p != "3 bytes (binary)" {
		t.Errorf("binary: %q", p)
	}
	long := strings.Repeat("é", 100) // 200 bytes: cut on a character boundary
	if p := Preview([]byte(long)); len(p) > previewBytes+len("…") || !utf8.ValidString(p) || !strings.HasSuffix(p, "…") {
		t.Errorf("long value: %q", p)
	}
}
