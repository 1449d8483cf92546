package pyodidepkgs

// knownNative lists popular distributions that contain native code (or
// need a native library) and that Pyodide does not build, with what a
// Python Worker should use instead. Keys are PEP 503 names. Each entry was
// checked against the stored lock lists (the test keeps it so): an entry
// may appear in some Pyodide list (mysqlclient and psycopg-c are built for
// 314.0.5), which is why callers ask Index.Has first.
//
// Deliberately absent because Pyodide builds them for every selectable
// version: lxml, cryptography, orjson, pydantic-core, numpy, pandas,
// aiohttp, regex, tiktoken, bcrypt, pyyaml, msgpack, pillow.
var knownNative = map[string]string{
	// PostgreSQL / MySQL drivers built on C client libraries.
	"psycopg2":        "connect through Hyperdrive (self.env.HYPERDRIVE.connectionString) with a pure-Python driver such as pg8000, or use D1",
	"psycopg2-binary": "connect through Hyperdrive (self.env.HYPERDRIVE.connectionString) with a pure-Python driver such as pg8000, or use D1",
	"psycopg-binary":  "connect through Hyperdrive with a pure-Python driver such as pg8000, or use D1",
	"psycopg-c":       "connect through Hyperdrive with a pure-Python driver such as pg8000, or use D1",
	"asyncpg":         "connect through Hyperdrive with a pure-Python driver such as pg8000, or use D1",
	"mysqlclient":     "connect through Hyperdrive with a pure-Python driver such as PyMySQL, or use D1",
	"pyodbc":          "reach the database through Hyperdrive or an HTTP API, or use D1",
	"cx-oracle":       "reach the database through an HTTP API, or use D1",
	// Networking and servers: Workers have no processes, threads or raw
	// event loops of their own.
	"grpcio":          "call the service over HTTP/JSON (workers.fetch, httpx) or use a service binding",
	"grpcio-tools":    "generate code ahead of time; call the service over HTTP/JSON at run time",
	"uvloop":          "drop it: asyncio already runs on the Workers event loop",
	"httptools":       "drop it: the Worker receives parsed requests, no HTTP server runs in it",
	"watchfiles":      "drop it: there is no file watching in a Worker",
	"gevent":          "use asyncio (async def handlers) instead of green threads",
	"greenlet":        "use asyncio (async def handlers) instead of green threads",
	"pyzmq":           "use Queues or a service binding for messaging",
	"confluent-kafka": "use Queues, or a Kafka REST proxy through fetch",
	"pycurl":          "use workers.fetch, httpx or aiohttp",
	"hiredis":         "drop it; for a cache use KV, or an HTTP-based Redis client",
	"psutil":          "drop it: a Worker has no process or system information",
	// Machine learning runtimes.
	"torch":        "run models with Workers AI (self.env.AI.run)",
	"tensorflow":   "run models with Workers AI (self.env.AI.run)",
	"onnxruntime":  "run models with Workers AI (self.env.AI.run)",
	"tokenizers":   "use tiktoken (built for Pyodide) or Workers AI",
	"faiss-cpu":    "store and query embeddings with Vectorize",
	"numba":        "use numpy (built for Pyodide) without JIT compilation",
	"llvmlite":     "use numpy (built for Pyodide) without JIT compilation",
	"xformers":     "run models with Workers AI (self.env.AI.run)",
	"bitsandbytes": "run models with Workers AI (self.env.AI.run)",
	// Compression codecs without a Pyodide build.
	"python-snappy": "use zstandard, brotli or lz4 where Pyodide builds them",
}

// KnownNative returns the suggested alternative for a distribution known to
// need native code that Pyodide does not provide.
func KnownNative(pkg string) (alternative string, ok bool) {
	alternative, ok = knownNative[Normalize(pkg)]
	return alternative, ok
}
