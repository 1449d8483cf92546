package bindings

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

func TestR2(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			w := newWorker(t, sdk)
			out := w.get(t, "/r2/basic")
			// md5("hello r2")
			wantJSON(t, "put", out["put"], `{"etag":"`+md5hex("hello r2")+`","httpEtag":"\"`+md5hex("hello r2")+`\"","key":"docs/a.txt","size":8}`)
			wantJSON(t, "text", out["text"], `"hello r2"`)
			wantJSON(t, "json", out["json"], `{"n":1}`)
			wantJSON(t, "arrayBuffer", out["raw"], `[0,255]`)
			wantJSON(t, "range", out["range"], `"r2"`)
			wantJSON(t, "head", out["head"], `{"custom":{"owner":"ada"},"has_version":true,"http":{"contentType":"text/plain"},"size":8}`)
			wantJSON(t, "missing", out["missing"], `null`)
			wantJSON(t, "list with delimiter", out["root"], `{"keys":["top.txt"],"prefixes":["docs/","img/"]}`)
			wantJSON(t, "list prefix+delimiter", out["docs"], `{"custom":{"owner":"ada"},"keys":["docs/a.txt"],"prefixes":["docs/sub/"]}`)
			wantJSON(t, "page 1", out["page1"], `["docs/a.txt","docs/sub/b.json",true]`)
			wantJSON(t, "page 2", out["page2"], `["docs/sub/c.bin","img/x.png",true]`)
			wantJSON(t, "startAfter", out["after"], `["top.txt"]`)
			wantJSON(t, "after delete", out["left"], `["docs/a.txt","docs/sub/b.json","docs/sub/c.bin"]`)
			wantJSON(t, "body stream", out["stream"], `"hello r2"`)
			files, _ := filepath.Glob(filepath.Join(w.dir, ".pyworkers/state/default/r2/files/*.bin"))
			if len(files) != 3 {
				t.Errorf("r2/files holds %d bodies, want 3 (old versions and deleted objects removed): %v", len(files), files)
			}
		})
	}
}

func TestQueueProducerAndConsumerAPI(t *testing.T) {
	w := newWorker(t, "")
	w.get(t, "/queue/send")
	if n, err := w.store.QueueCount("jobs"); err != nil || n != 5 {
		t.Fatalf("QueueCount = %d, %v; want 5", n, err)
	}
	msgs, err := w.store.QueuePending("jobs", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.ContentType+":"+string(m.Body))
		if m.Attempts != 1 {
			t.Errorf("first delivery has Attempts %d", m.Attempts)
		}
	}
	// the delayed message is not due yet
	wantJSON(t, "pending", got, `["json:{\"job\":1}","text:plain text","json:{\"job\":2}","bytes:\u0001\u0002"]`)
	if again, _ := w.store.QueuePending("jobs", 10); len(again) != 0 {
		t.Errorf("leased messages delivered twice: %d", len(again))
	}
	if err := w.store.QueueAck("jobs", []string{msgs[0].ID, msgs[1].ID}); err != nil {
		t.Fatal(err)
	}
	if err := w.store.QueueRetry("jobs", []string{msgs[2].ID}, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.store.QueueMove("jobs", []string{msgs[3].ID}, "dlq"); err != nil {
		t.Fatal(err)
	}
	retried, _ := w.store.QueuePending("jobs", 10)
	if len(retried) != 1 || retried[0].ID != msgs[2].ID || retried[0].Attempts != 2 {
		t.Errorf("after retry: %+v", retried)
	}
	if dl, _ := w.store.QueuePending("dlq", 10); len(dl) != 1 || dl[0].Attempts != 1 {
		t.Errorf("dead letter queue: %+v", dl)
	}
}

func TestVectorize(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			w := newWorker(t, sdk)
			out := w.get(t, "/vec/basic")
			wantJSON(t, "topK=2 (cosine)", out["top"], `[["a",1],["b",0.9939]]`)
			wantJSON(t, "implicit $eq", out["rock"], `[["a",1],["c",0]]`)
			wantJSON(t, "returnMetadata", out["rock_meta"], `[{"genre":"rock","year":1990},{"genre":"rock","year":2021}]`)
			wantJSON(t, "$gt + $in", out["ops"], `[["b",0.9939],["c",0]]`)
			wantJSON(t, "$nin + $lt", out["nin"], `[["b",0.9939]]`)
			wantJSON(t, "$ne", out["ne"], `[["b",0.9939],["d",0]]`)
			wantJSON(t, "namespace", out["ns"], `[["d",1]]`)
			wantJSON(t, "returnValues", out["ns_values"], `[0,0,1]`)
			wantJSON(t, "getByIds", out["got"], `[["a",[1,0,0]],["c",[0,0.9,0.1]]]`)
			wantJSON(t, "describe count", out["count"], `3`)
			wantJSON(t, "describe config", out["config"], `{"dimensions":3,"metric":"cosine"}`)
		})
	}
}

func TestVectorizeEuclideanFromConfigFile(t *testing.T) {
	w := newWorker(t, "")
	os.MkdirAll(filepath.Join(w.dir, ".pyworkers"), 0o755)
	if err := os.WriteFile(filepath.Join(w.dir, ".pyworkers", "vectorize.json"),
		[]byte(`{"embeddings": {"metric": "euclidean", "dimensions": 2}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := w.get(t, "/vec/euclid")
	wantJSON(t, "euclidean distances, nearest first", out["matches"], `[["near",1.4142],["far",7.0711]]`)
}

func TestAnalyticsEngine(t *testing.T) {
	w := newWorker(t, "")
	w.get(t, "/analytics")
	f, err := os.Open(filepath.Join(w.dir, ".pyworkers/state/default/analytics/events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		delete(m, "timestamp")
		lines = append(lines, m)
	}
	wantJSON(t, "data points", lines, `[{"blobs":["GET","/x"],"dataset":"events","doubles":[1.5,2],"indexes":["user-1"]},`+
		`{"blobs":["second"],"dataset":"events","doubles":[],"indexes":[]}]`)
}

func TestAI(t *testing.T) {
	w := newWorker(t, "")
	out := w.get(t, "/ai")
	wantContains(t, "no fixtures file", out["error"], "Workers AI is not available locally")
	wantContains(t, "no fixtures file names the file", out["error"], filepath.Join(".pyworkers", "ai-fixtures.json"))

	fixtures := `[
	  {"model": "@cf/meta/llama-3.1-8b-instruct", "input": {"prompt": "hi"}, "output": {"response": "hello from a fixture"}},
	  {"model": "@cf/baai/bge-base-en-v1.5", "output": {"shape": [1, 2], "data": [[0.1, 0.2]]}}
	]`
	os.MkdirAll(filepath.Join(w.dir, ".pyworkers"), 0o755)
	if err := os.WriteFile(filepath.Join(w.dir, ".pyworkers", "ai-fixtures.json"), []byte(fixtures), 0o644); err != nil {
		t.Fatal(err)
	}
	out = w.get(t, "/ai")
	wantJSON(t, "exact input", out["exact"], `{"response":"hello from a fixture"}`)
	wantJSON(t, "any input", out["any"], `{"data":[[0.1,0.2]],"shape":[1,2]}`)
	wantContains(t, "no match", out["nomatch"], "no fixture matches this model and input")
}

func TestNotSimulatedBinding(t *testing.T) {
	w := newWorker(t, "")
	out := w.get(t, "/hyperdrive")
	msg, _ := out["error"].(string)
	if !strings.Contains(msg, "env.HYPER") || !strings.Contains(msg, "hyperdrive") {
		t.Errorf("hyperdrive error %q does not name the binding and kind", msg)
	}
}
