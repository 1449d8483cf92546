package catalog

// The one table of runtime interfaces. Names and parameter lists follow the
// Workers runtime types (npm @cloudflare/workers-types, checked by
// workerstypes_test.go) and the Python SDK (workers-runtime-sdk); result
// types are written as Python sees them through the SDK's conversions
// (JS null -> None, plain objects -> dict-like). Docs are our own words.
//
// Small constructors keep each member on one line.

// call is an awaited method.
func call(name, returns, iface, doc string, params ...Param) Member {
	return Member{Name: name, Async: true, Params: params, Returns: returns, ReturnsInterface: iface, Doc: doc}
}

// syncCall is a method that returns its result directly (no await).
func syncCall(name, returns, iface, doc string, params ...Param) Member {
	return Member{Name: name, Params: params, Returns: returns, ReturnsInterface: iface, Doc: doc}
}

// prop is an attribute.
func prop(name, typ, iface, doc string) Member {
	return Member{Name: name, Property: true, Returns: typ, ReturnsInterface: iface, Doc: doc}
}

// static marks a member called on the class itself.
func static(m Member) Member { m.Static = true; return m }

func arg(name, typ string) Param    { return Param{Name: name, Type: typ} }
func optArg(name, typ string) Param { return Param{Name: name, Type: typ, Optional: true} }
func kwArg(name, typ string) Param {
	return Param{Name: name, Type: typ, Optional: true, KeywordOnly: true}
}
func varArg(name, typ string) Param {
	return Param{Name: name, Type: typ, Optional: true, Variadic: true}
}

const (
	docsR2     = "https://developers.cloudflare.com/r2/api/workers/workers-api-reference/"
	docsQueues = "https://developers.cloudflare.com/queues/configuration/javascript-apis/"
	docsDOKV   = "https://developers.cloudflare.com/durable-objects/api/storage-api/"
	docsDOSQL  = "https://developers.cloudflare.com/durable-objects/api/sqlite-storage-api/"
	docsFlows  = "https://developers.cloudflare.com/workflows/build/workers-api/"
)

// Options shared by several Durable Object storage calls.
var (
	doReadOpts  = []Param{kwArg("allowConcurrency", "bool"), kwArg("noCache", "bool")}
	doWriteOpts = []Param{kwArg("allowConcurrency", "bool"), kwArg("allowUnconfirmed", "bool"), kwArg("noCache", "bool")}
	doAlarmOpts = []Param{kwArg("allowConcurrency", "bool"), kwArg("allowUnconfirmed", "bool")}
)

func withParams(lead []Param, opts []Param) []Param {
	return append(append([]Param(nil), lead...), opts...)
}

var interfaceTable = []*Interface{
	// ---- KV ----
	{
		Name:    "KVNamespace",
		Doc:     "A Workers KV namespace: an eventually consistent key-value store (kv_namespaces binding).",
		DocsURL: "https://developers.cloudflare.com/kv/api/",
		Members: []Member{
			call("get", "str | dict | bytes | None", "", "Read a key's value, or None when the key is missing; type picks text (default), json, arrayBuffer or stream.",
				arg("key", "str | list[str]"), optArg("type", `"text" | "json" | "arrayBuffer" | "stream"`), kwArg("cacheTtl", "int")),
			call("getWithMetadata", "dict", "", "Read a key's value together with its metadata: {value, metadata, cacheStatus}.",
				arg("key", "str | list[str]"), optArg("type", `"text" | "json" | "arrayBuffer" | "stream"`), kwArg("cacheTtl", "int")),
			call("put", "None", "", "Write a value under a key, optionally with an absolute or relative expiry and metadata.",
				arg("key", "str"), arg("value", "str | bytes | ReadableStream"), kwArg("expiration", "int"), kwArg("expirationTtl", "int"), kwArg("metadata", "dict")),
			call("list", "dict", "", "List keys page by page: {keys, list_complete, cursor}.",
				kwArg("prefix", "str"), kwArg("limit", "int"), kwArg("cursor", "str")),
			call("delete", "None", "", "Remove a key (no error when it does not exist).", arg("key", "str")),
		},
	},

	// ---- D1 ----
	{
		Name:    "D1Database",
		Doc:     "A D1 SQLite database (d1_databases binding).",
		DocsURL: "https://developers.cloudflare.com/d1/worker-api/d1-database/",
		Members: []Member{
			syncCall("prepare", "D1PreparedStatement", "D1PreparedStatement", "Compile a SQL statement; not awaited, bind values then run it.", arg("query", "str")),
			call("batch", "list[D1Result]", "", "Run several prepared statements in one implicit transaction.", arg("statements", "list[D1PreparedStatement]")),
			call("exec", "dict", "", "Run one or more raw SQL statements without parameters: {count, duration}.", arg("query", "str")),
			syncCall("withSession", "D1DatabaseSession", "D1DatabaseSession", "Open a session for sequentially consistent reads from replicas.", optArg("constraintOrBookmark", `str | "first-primary" | "first-unconstrained"`)),
			call("dump", "bytes", "", "Export the database file (only for legacy alpha databases)."),
		},
	},
	{
		Name:    "D1DatabaseSession",
		Doc:     "A D1 session whose queries see each other's writes, even on read replicas.",
		DocsURL: "https://developers.cloudflare.com/d1/worker-api/d1-database/#withsession",
		Members: []Member{
			syncCall("prepare", "D1PreparedStatement", "D1PreparedStatement", "Compile a SQL statement within the session.", arg("query", "str")),
			call("batch", "list[D1Result]", "", "Run several prepared statements in the session as one transaction.", arg("statements", "list[D1PreparedStatement]")),
			syncCall("getBookmark", "str | None", "", "The latest bookmark of the session, to resume it in a later request."),
		},
	},
	{
		Name:    "D1PreparedStatement",
		Doc:     "A compiled D1 statement: bind parameters, then run it with first/all/run/raw.",
		DocsURL: "https://developers.cloudflare.com/d1/worker-api/prepared-statements/",
		Members: []Member{
			syncCall("bind", "D1PreparedStatement", "D1PreparedStatement", "Attach values to the ? placeholders, in order; not awaited.", varArg("values", "Any")),
			call("first", "dict | Any | None", "", "The first row, or one column of it when a name is given; None when there are no rows.", optArg("colName", "str")),
			call("all", "D1Result", "D1Result", "Run the statement and return every row in results."),
			call("run", "D1Result", "D1Result", "Run the statement (usually a write) and return its result with meta."),
			call("raw", "list[list]", "", "Rows as lists of values; columnNames=True puts the column names first.", kwArg("columnNames", "bool")),
		},
	},
	{
		Name:    "D1Result",
		Doc:     "What D1 all()/run()/batch() return: success flag, rows and query metadata.",
		DocsURL: "https://developers.cloudflare.com/d1/worker-api/return-object/",
		Members: []Member{
			prop("results", "list[dict]", "", "The rows the statement returned."),
			prop("success", "bool", "", "Whether the statement ran without error."),
			prop("meta", "dict", "", "Query metadata: duration, changes, last_row_id, rows_read, rows_written, served_by..."),
			prop("error", "str | None", "", "Error text when the statement failed."),
		},
	},

	// ---- R2 ----
	{
		Name:    "R2Bucket",
		Doc:     "An R2 object storage bucket (r2_buckets binding).",
		DocsURL: docsR2,
		Members: []Member{
			call("head", "R2Object | None", "R2Object", "Read an object's metadata without its body; None when missing.", arg("key", "str")),
			call("get", "R2ObjectBody | None", "R2ObjectBody", "Read an object with its body; None when missing (or metadata only when onlyIf fails).",
				arg("key", "str"), kwArg("onlyIf", "dict | Headers"), kwArg("range", "dict | Headers"), kwArg("ssecKey", "str | bytes")),
			call("put", "R2Object | None", "R2Object", "Store an object under a key; None when an onlyIf condition fails.",
				arg("key", "str"), arg("value", "str | bytes | ReadableStream | Blob | None"),
				kwArg("onlyIf", "dict | Headers"), kwArg("httpMetadata", "dict | Headers"), kwArg("customMetadata", "dict[str, str]"),
				kwArg("md5", "str | bytes"), kwArg("sha1", "str | bytes"), kwArg("sha256", "str | bytes"), kwArg("sha384", "str | bytes"), kwArg("sha512", "str | bytes"),
				kwArg("storageClass", "str"), kwArg("ssecKey", "str | bytes")),
			call("delete", "None", "", "Remove one object or a list of up to 1000 keys.", arg("keys", "str | list[str]")),
			call("list", "R2Objects", "R2Objects", "List objects page by page, optionally grouped by a delimiter.",
				kwArg("prefix", "str"), kwArg("limit", "int"), kwArg("cursor", "str"), kwArg("delimiter", "str"), kwArg("startAfter", "str"), kwArg("include", `list["httpMetadata" | "customMetadata"]`)),
			call("createMultipartUpload", "R2MultipartUpload", "R2MultipartUpload", "Start an upload sent in several parts.",
				arg("key", "str"), kwArg("httpMetadata", "dict | Headers"), kwArg("customMetadata", "dict[str, str]"), kwArg("storageClass", "str"), kwArg("ssecKey", "str | bytes")),
			syncCall("resumeMultipartUpload", "R2MultipartUpload", "R2MultipartUpload", "Get a handle on an upload started earlier; not awaited.", arg("key", "str"), arg("uploadId", "str")),
		},
	},
	{
		Name:    "R2Object",
		Doc:     "Metadata of an R2 object (no body).",
		DocsURL: docsR2 + "#r2object-definition",
		Members: r2ObjectMembers,
	},
	{
		Name:    "R2ObjectBody",
		Doc:     "An R2 object with its metadata and a body to read once.",
		DocsURL: docsR2 + "#r2objectbody-definition",
		Members: append(append([]Member(nil), r2ObjectMembers...),
			prop("body", "ReadableStream", "", "The object's content as a stream."),
			prop("bodyUsed", "bool", "", "Whether the body was already read."),
			call("text", "str", "", "Read the whole body as text."),
			call("json", "Any", "", "Read the whole body and parse it as JSON."),
			call("arrayBuffer", "bytes", "", "Read the whole body as raw bytes (a JS ArrayBuffer)."),
			call("bytes", "bytes", "", "Read the whole body as bytes."),
			call("blob", "Blob", "", "Read the whole body as a Blob."),
		),
	},
	{
		Name:    "R2Objects",
		Doc:     "One page of an R2 list() result.",
		DocsURL: docsR2 + "#r2objects-definition",
		Members: []Member{
			prop("objects", "list[R2Object]", "", "The objects on this page."),
			prop("delimitedPrefixes", "list[str]", "", "Common prefixes when a delimiter was given."),
			prop("truncated", "bool", "", "Whether more results follow."),
			prop("cursor", "str | None", "", "Pass to list(cursor=...) for the next page when truncated."),
		},
	},
	{
		Name:    "R2MultipartUpload",
		Doc:     "An R2 upload in progress, sent part by part.",
		DocsURL: docsR2 + "#r2multipartupload-definition",
		Members: []Member{
			prop("key", "str", "", "The key the object will have."),
			prop("uploadId", "str", "", "The id to resume this upload later."),
			call("uploadPart", "dict", "", "Upload one part: {partNumber, etag}.", arg("partNumber", "int"), arg("value", "str | bytes | ReadableStream | Blob"), kwArg("ssecKey", "str | bytes")),
			call("abort", "None", "", "Cancel the upload and drop its parts."),
			call("complete", "R2Object", "R2Object", "Assemble the uploaded parts into the object.", arg("uploadedParts", "list[dict]")),
		},
	},

	// ---- Workers AI, Vectorize ----
	{
		Name:    "Ai",
		Doc:     "The Workers AI binding: run models hosted by Cloudflare.",
		DocsURL: "https://developers.cloudflare.com/workers-ai/configuration/bindings/",
		Members: []Member{
			call("run", "dict | str | ReadableStream", "", "Run a model on some inputs; with stream=True in the inputs the result is a stream.",
				arg("model", "str"), arg("inputs", "dict"), kwArg("gateway", "dict"), kwArg("returnRawResponse", "bool"), kwArg("queueRequest", "bool"), kwArg("websocket", "bool"), kwArg("extraHeaders", "dict")),
			call("models", "list[dict]", "", "Search the model catalog.", kwArg("search", "str"), kwArg("task", "str"), kwArg("author", "str"), kwArg("source", "int"), kwArg("hide_experimental", "bool"), kwArg("page", "int"), kwArg("per_page", "int")),
			syncCall("gateway", "AiGateway", "", "A handle on an AI Gateway by id (logs, feedback, provider URLs).", arg("gatewayId", "str")),
			call("toMarkdown", "list[dict] | dict", "", "Convert documents (PDF, images, HTML, ...) to Markdown.", optArg("files", "dict | list[dict]"), kwArg("conversionOptions", "dict")),
			call("websearch", "Response", "Response", "Run a web search through Workers AI.", arg("request", "dict")),
			syncCall("aiSearch", "AiSearchNamespace", "", "Deprecated: use the ai_search bindings instead."),
			syncCall("autorag", "AutoRAG", "", "Deprecated: AutoRAG became AI Search.", arg("autoragId", "str")),
			prop("aiGatewayLogId", "str | None", "", "The AI Gateway log id of the last run() that went through a gateway."),
		},
	},
	{
		Name:    "VectorizeIndex",
		Doc:     "A Vectorize vector index (vectorize binding).",
		DocsURL: "https://developers.cloudflare.com/vectorize/reference/client-api/",
		Members: []Member{
			call("query", "dict", "", "Find the vectors nearest to a query vector: {matches, count}.",
				arg("vector", "list[float]"), kwArg("topK", "int"), kwArg("namespace", "str"), kwArg("returnValues", "bool"), kwArg("returnMetadata", `bool | "none" | "indexed" | "all"`), kwArg("filter", "dict")),
			call("queryById", "dict", "", "Find the vectors nearest to a stored vector, by its id.",
				arg("vectorId", "str"), kwArg("topK", "int"), kwArg("namespace", "str"), kwArg("returnValues", "bool"), kwArg("returnMetadata", `bool | "none" | "indexed" | "all"`), kwArg("filter", "dict")),
			call("insert", "dict", "", "Add vectors; ids that exist already are an error.", arg("vectors", "list[dict]")),
			call("upsert", "dict", "", "Add vectors, replacing those with the same id.", arg("vectors", "list[dict]")),
			call("deleteByIds", "dict", "", "Remove vectors by id.", arg("ids", "list[str]")),
			call("getByIds", "list[dict]", "", "Fetch stored vectors by id.", arg("ids", "list[str]")),
			call("describe", "dict", "", "Information about the index: dimensions, vector count, config."),
		},
	},

	// ---- Durable Objects ----
	{
		Name:    "DurableObjectNamespace",
		Doc:     "A Durable Object class to address instances of (durable_objects binding).",
		DocsURL: "https://developers.cloudflare.com/durable-objects/api/namespace/",
		Members: []Member{
			syncCall("idFromName", "DurableObjectId", "DurableObjectId", "The id always derived from the same name; not awaited.", arg("name", "str")),
			syncCall("idFromString", "DurableObjectId", "DurableObjectId", "Parse an id from its hex string form; not awaited.", arg("id", "str")),
			syncCall("newUniqueId", "DurableObjectId", "DurableObjectId", "A new random id, optionally pinned to a jurisdiction; not awaited.", kwArg("jurisdiction", `"eu" | "fedramp" | "fedramp-high" | "us"`)),
			syncCall("get", "DurableObjectStub", "DurableObjectStub", "A stub for the object with this id; not awaited.", arg("id", "DurableObjectId"), kwArg("locationHint", "str"), kwArg("routingMode", "str"), kwArg("retry", "dict")),
			syncCall("getByName", "DurableObjectStub", "DurableObjectStub", "A stub for the object named so (idFromName + get in one call); not awaited.", arg("name", "str"), kwArg("locationHint", "str"), kwArg("routingMode", "str"), kwArg("retry", "dict")),
			syncCall("jurisdiction", "DurableObjectNamespace", "DurableObjectNamespace", "The same namespace restricted to one jurisdiction.", arg("jurisdiction", `"eu" | "fedramp" | "fedramp-high" | "us"`)),
		},
	},
	{
		Name:    "DurableObjectId",
		Doc:     "The id of one Durable Object instance.",
		DocsURL: "https://developers.cloudflare.com/durable-objects/api/id/",
		Members: []Member{
			syncCall("toString", "str", "", "The id as a 64-digit hex string."),
			syncCall("equals", "bool", "", "Whether two ids name the same object.", arg("other", "DurableObjectId")),
			prop("name", "str | None", "", "The name the id was derived from, when idFromName made it."),
			prop("jurisdiction", "str | None", "", "The jurisdiction the id is restricted to, if any."),
		},
	},
	{
		Name:    "DurableObjectStub",
		Doc:     "A client for one Durable Object: fetch() plus the class's public methods over RPC.",
		DocsURL: "https://developers.cloudflare.com/durable-objects/api/stub/",
		Dynamic: true,
		Members: []Member{
			call("fetch", "Response", "Response", "Send an HTTP request to the object's fetch handler.", arg("input", "str | Request"), kwArg("method", "str"), kwArg("headers", "dict"), kwArg("body", "str | bytes")),
			prop("id", "DurableObjectId", "DurableObjectId", "The id of the object this stub talks to."),
			prop("name", "str | None", "", "The name the object was addressed by, if any."),
		},
	},
	{
		Name:    "DurableObjectState",
		Doc:     "What self.ctx is inside a DurableObject: its id, storage and WebSocket hibernation API.",
		DocsURL: "https://developers.cloudflare.com/durable-objects/api/state/",
		Members: []Member{
			prop("id", "DurableObjectId", "DurableObjectId", "This object's id."),
			prop("storage", "DurableObjectStorage", "DurableObjectStorage", "This object's private transactional storage."),
			prop("props", "Any", "", "Values passed by the caller that created this object's binding."),
			prop("exports", "dict", "", "Loopback bindings to this Worker's own exports."),
			syncCall("waitUntil", "None", "", "Keep the object alive until an awaitable finishes.", arg("promise", "Awaitable")),
			call("blockConcurrencyWhile", "Any", "", "Run an async callback while no other event reaches the object (e.g. in __init__).", arg("callback", "Callable[[], Awaitable]")),
			syncCall("acceptWebSocket", "None", "", "Take over a server WebSocket with hibernation; events go to webSocketMessage/Close/Error.", arg("ws", "WebSocket"), optArg("tags", "list[str]")),
			syncCall("getWebSockets", "list[WebSocket]", "", "The accepted WebSockets, optionally only those with a tag.", optArg("tag", "str")),
			syncCall("getTags", "list[str]", "", "The tags a WebSocket was accepted with.", arg("ws", "WebSocket")),
			syncCall("setWebSocketAutoResponse", "None", "", "Answer a fixed request message with a fixed response without waking the object.", optArg("maybeReqResp", "WebSocketRequestResponsePair")),
			syncCall("getWebSocketAutoResponse", "WebSocketRequestResponsePair | None", "", "The automatic response pair that is set, if any."),
			syncCall("getWebSocketAutoResponseTimestamp", "datetime | None", "", "When a WebSocket last got the automatic response.", arg("ws", "WebSocket")),
			syncCall("setHibernatableWebSocketEventTimeout", "None", "", "Limit how long a WebSocket event handler may run.", optArg("timeoutMs", "int")),
			syncCall("getHibernatableWebSocketEventTimeout", "int | None", "", "The WebSocket event handler time limit, if set."),
			syncCall("abort", "None", "", "Reset the object: in-memory state is lost and in-flight calls fail.", optArg("reason", "str"), kwArg("retryAlarm", "bool")),
		},
	},
	{
		Name:    "DurableObjectStorage",
		Doc:     "A Durable Object's storage (self.ctx.storage): key-value calls, alarms and SQL.",
		DocsURL: docsDOKV,
		Members: []Member{
			call("get", "Any | dict", "", "Read one key (None when absent) or several keys (a map of the found ones).", withParams([]Param{arg("key", "str | list[str]")}, doReadOpts)...),
			call("put", "None", "", "Write one key, or a dict of entries.", withParams([]Param{arg("key", "str | dict"), optArg("value", "Any")}, doWriteOpts)...),
			call("delete", "bool | int", "", "Delete one key (True when it existed) or several (how many existed).", withParams([]Param{arg("key", "str | list[str]")}, doWriteOpts)...),
			call("deleteAll", "None", "", "Delete every key (and the SQL database) of the object.", doWriteOpts...),
			call("list", "dict", "", "Read keys in order, filtered by range or prefix.",
				withParams(nil, []Param{kwArg("start", "str"), kwArg("startAfter", "str"), kwArg("end", "str"), kwArg("prefix", "str"), kwArg("reverse", "bool"), kwArg("limit", "int"), kwArg("allowConcurrency", "bool"), kwArg("noCache", "bool")})...),
			call("transaction", "Any", "", "Run a callback in an explicit transaction it may roll back.", arg("closure", "Callable[[DurableObjectTransaction], Awaitable]")),
			syncCall("transactionSync", "Any", "", "Run a synchronous callback atomically (SQLite-backed objects).", arg("closure", "Callable[[], Any]")),
			call("getAlarm", "int | None", "", "When the alarm is set to fire (ms since epoch), or None.", kwArg("allowConcurrency", "bool")),
			call("setAlarm", "None", "", "Schedule the alarm() handler for a time (ms since epoch or datetime).", withParams([]Param{arg("scheduledTime", "int | datetime")}, doAlarmOpts)...),
			call("deleteAlarm", "None", "", "Cancel the scheduled alarm.", doAlarmOpts...),
			call("sync", "None", "", "Wait until earlier writes are durable."),
			prop("sql", "SqlStorage", "SqlStorage", "The object's SQLite database (SQLite-backed objects only)."),
			prop("kv", "SyncKvStorage", "", "Synchronous key-value API of SQLite-backed objects."),
			call("getCurrentBookmark", "str", "", "A bookmark for the current point in time (point-in-time recovery)."),
			call("getBookmarkForTime", "str", "", "A bookmark for a past time, to restore to.", arg("timestamp", "int | datetime")),
			call("onNextSessionRestoreBookmark", "str", "", "Restore the object to a bookmark when it next restarts.", arg("bookmark", "str")),
		},
	},
	{
		Name:    "SqlStorage",
		Doc:     "The SQLite database of a SQLite-backed Durable Object (self.ctx.storage.sql).",
		DocsURL: docsDOSQL,
		Members: []Member{
			syncCall("exec", "SqlStorageCursor", "SqlStorageCursor", "Run a statement with ? bindings; not awaited, returns a cursor over the rows.", arg("query", "str"), varArg("bindings", "Any")),
			prop("databaseSize", "int", "", "The database size in bytes."),
		},
	},
	{
		Name:    "SqlStorageCursor",
		Doc:     "Rows produced by SqlStorage.exec().",
		DocsURL: docsDOSQL + "#cursor",
		Members: []Member{
			syncCall("toArray", "list[dict]", "", "All remaining rows."),
			syncCall("one", "dict", "", "The single row; an error unless there is exactly one."),
			syncCall("next", "dict", "", "The next row as {done, value}."),
			syncCall("raw", "Iterator[list]", "", "Remaining rows as lists of values."),
			prop("columnNames", "list[str]", "", "The result's column names."),
			prop("rowsRead", "int", "", "Rows read so far (billing)."),
			prop("rowsWritten", "int", "", "Rows written so far (billing)."),
		},
	},

	// ---- Queues ----
	{
		Name:    "Queue",
		Doc:     "A queue to send messages to (queues.producers binding).",
		DocsURL: docsQueues + "#producer",
		Members: []Member{
			call("send", "dict", "", "Send one message; contentType picks how the body is encoded.", arg("body", "Any"), kwArg("contentType", `"text" | "bytes" | "json" | "v8"`), kwArg("delaySeconds", "int")),
			call("sendBatch", "dict", "", "Send up to 100 messages given as {body, contentType?, delaySeconds?} dicts.", arg("messages", "list[dict]"), kwArg("delaySeconds", "int")),
			call("metrics", "dict", "", "The queue backlog: {backlogCount, backlogBytes, oldestMessageTimestamp}."),
		},
	},
	{
		Name:    "MessageBatch",
		Doc:     "The batch a queue(self, batch) handler receives.",
		DocsURL: docsQueues + "#messagebatch",
		Members: []Member{
			prop("queue", "str", "", "The name of the queue the batch came from."),
			prop("messages", "list[Message]", "", "The messages of the batch."),
			prop("metadata", "dict", "", "Backlog metrics at delivery time."),
			syncCall("ackAll", "None", "", "Mark every message as processed."),
			syncCall("retryAll", "None", "", "Deliver every message again later.", kwArg("delaySeconds", "int")),
		},
	},
	{
		Name:    "Message",
		Doc:     "One queue message in a MessageBatch.",
		DocsURL: docsQueues + "#message",
		Members: []Member{
			prop("id", "str", "", "The message id."),
			prop("timestamp", "datetime", "", "When the message was sent."),
			prop("body", "Any", "", "The message content."),
			prop("attempts", "int", "", "How many times delivery was tried, starting at 1."),
			syncCall("ack", "None", "", "Mark this message as processed even if the handler later fails."),
			syncCall("retry", "None", "", "Deliver this message again later.", kwArg("delaySeconds", "int")),
		},
	},

	// ---- Analytics Engine ----
	{
		Name:    "AnalyticsEngineDataset",
		Doc:     "A Workers Analytics Engine dataset to write data points to.",
		DocsURL: "https://developers.cloudflare.com/analytics/analytics-engine/get-started/",
		Members: []Member{
			syncCall("writeDataPoint", "None", "", "Record one data point; not awaited.", kwArg("indexes", "list[str]"), kwArg("doubles", "list[float]"), kwArg("blobs", "list[str]")),
		},
	},

	// ---- Workflows ----
	{
		Name:    "Workflow",
		Doc:     "A Workflow to start and look up instances of (workflows binding).",
		DocsURL: docsFlows + "#workflow",
		Members: []Member{
			call("create", "WorkflowInstance", "WorkflowInstance", "Start a new instance, optionally with an id and params.", kwArg("id", "str"), kwArg("params", "Any"), kwArg("retention", "dict")),
			call("get", "WorkflowInstance", "WorkflowInstance", "A handle on an existing instance.", arg("id", "str")),
			call("createBatch", "list[WorkflowInstance] | dict", "", "Start up to 100 instances at once.", arg("batch", "list[dict] | dict")),
			call("create_batch", "list[WorkflowInstance] | dict", "", "Python SDK name of createBatch.", arg("batch", "list[dict] | dict")),
			call("deleteBatch", "dict", "", "Delete up to 100 instances and their state.", arg("instanceIds", "list[str]")),
		},
	},
	{
		Name:    "WorkflowInstance",
		Doc:     "A handle on one Workflow instance.",
		DocsURL: docsFlows + "#workflowinstance",
		Members: []Member{
			prop("id", "str", "", "The instance id."),
			call("status", "dict", "", "The instance state: {status, error?, output?}."),
			call("pause", "None", "", "Pause the instance after its running step."),
			call("resume", "None", "", "Resume a paused instance."),
			call("terminate", "None", "", "Stop the instance for good."),
			call("restart", "None", "", "Run the instance again from the start."),
			call("delete", "None", "", "Delete the instance and its stored state."),
			call("sendEvent", "None", "", "Deliver an event to a step waiting in wait_for_event.", kwArg("type", "str"), kwArg("payload", "Any")),
			call("send_event", "None", "", "Python SDK name of sendEvent.", kwArg("type", "str"), kwArg("payload", "Any")),
			call("subscribe", "WorkflowInstanceSubscription", "", "Follow the instance's status changes.", kwArg("filter", "dict")),
		},
	},
	{
		Name:    "WorkflowStep",
		Doc:     "The step argument of WorkflowEntrypoint.run: durable, retried units of work.",
		DocsURL: "https://developers.cloudflare.com/workflows/python/",
		Members: []Member{
			{Name: "do", Decorator: true, Params: []Param{optArg("name", "str"), kwArg("concurrent", "bool"), kwArg("config", "dict")},
				Returns: "Callable[[Callable], Callable[..., Awaitable]]",
				Doc:     "Decorator factory: @step.do(\"name\") wraps a coroutine whose awaited result is kept and replayed (legacy mode also takes depends=[...])."},
			call("sleep", "None", "", "Pause the workflow for a duration like \"10 seconds\" or a number of ms.", arg("name", "str"), arg("duration", "str | int")),
			call("sleep_until", "None", "", "Pause the workflow until a point in time.", arg("name", "str"), arg("timestamp", "datetime | int")),
			call("wait_for_event", "dict", "", "Wait for an event sent with instance.sendEvent, up to a timeout.", arg("name", "str"), arg("event_type", "str"), kwArg("timeout", "str | int")),
		},
	},

	// ---- Service bindings and friends ----
	{
		Name:    "Fetcher",
		Doc:     "A binding that takes HTTP requests: service bindings, assets, browser, mTLS; plus RPC methods of the target entrypoint.",
		DocsURL: "https://developers.cloudflare.com/workers/runtime-apis/bindings/service-bindings/",
		Dynamic: true,
		Members: []Member{
			call("fetch", "Response", "Response", "Send an HTTP request to the bound Worker or resource.", arg("input", "str | Request"), kwArg("method", "str"), kwArg("headers", "dict"), kwArg("body", "str | bytes")),
			syncCall("connect", "Socket", "", "Open a TCP socket through the bound Worker.", arg("address", "str | dict"), kwArg("secureTransport", "str"), kwArg("allowHalfOpen", "bool")),
		},
	},
	{
		Name:    "Hyperdrive",
		Doc:     "Connection details of a database reached through Hyperdrive's pooling.",
		DocsURL: "https://developers.cloudflare.com/hyperdrive/configuration/connect-to-postgres/",
		Members: []Member{
			prop("connectionString", "str", "", "A ready-made connection URL for a database driver."),
			prop("host", "str", "", "The host to connect to."),
			prop("port", "int", "", "The port to connect to."),
			prop("user", "str", "", "The database user."),
			prop("password", "str", "", "The database password."),
			prop("database", "str", "", "The database name."),
			syncCall("connect", "Socket", "", "Open a socket to the database through Hyperdrive."),
		},
	},
	{
		Name:    "SendEmail",
		Doc:     "A binding that sends email (send_email binding).",
		DocsURL: "https://developers.cloudflare.com/email-routing/email-workers/send-email-workers/",
		Members: []Member{
			call("send", "dict", "", "Send an EmailMessage (or a message description).", arg("message", "EmailMessage | dict")),
		},
	},
	{
		Name:    "DispatchNamespace",
		Doc:     "A Workers for Platforms dispatch namespace of user Workers.",
		DocsURL: "https://developers.cloudflare.com/cloudflare-for-platforms/workers-for-platforms/get-started/dynamic-dispatch/",
		Members: []Member{
			syncCall("get", "Fetcher", "Fetcher", "A Fetcher for the named user Worker; not awaited.", arg("name", "str"), optArg("args", "dict"), kwArg("limits", "dict"), kwArg("outbound", "dict")),
		},
	},
	{
		Name:    "WorkerVersionMetadata",
		Doc:     "Which version of the Worker is running (version_metadata binding).",
		DocsURL: "https://developers.cloudflare.com/workers/runtime-apis/bindings/version-metadata/",
		Members: []Member{
			prop("id", "str", "", "The version id."),
			prop("tag", "str", "", "The version tag, if one was given."),
			prop("timestamp", "str", "", "When the version was uploaded."),
		},
	},
	{
		Name:    "ImagesBinding",
		Doc:     "The Images binding: inspect and transform images inside a Worker.",
		DocsURL: "https://developers.cloudflare.com/images/transform-images/bindings/",
		Members: []Member{
			call("info", "dict", "", "Format, size and dimensions of an image stream.", arg("stream", "ReadableStream"), kwArg("encoding", `"base64"`)),
			syncCall("input", "ImageTransformer", "ImageTransformer", "Start a transformation of an image stream; not awaited.", arg("stream", "ReadableStream"), kwArg("encoding", `"base64"`)),
			syncCall("text", "ImageTransformer", "ImageTransformer", "Start from rendered text instead of an image.", arg("content", "str"), arg("options", "dict")),
			prop("hosted", "HostedImagesBinding", "", "Images stored in Cloudflare Images."),
		},
	},
	{
		Name:    "ImageTransformer",
		Doc:     "A chain of image transformations, finished by output().",
		DocsURL: "https://developers.cloudflare.com/images/transform-images/bindings/",
		Members: []Member{
			syncCall("transform", "ImageTransformer", "ImageTransformer", "Resize, rotate, blur... (options as for image transformations).", arg("transform", "dict")),
			syncCall("draw", "ImageTransformer", "ImageTransformer", "Overlay another image.", arg("image", "ReadableStream | ImageTransformer"), kwArg("opacity", "float"), kwArg("repeat", "bool | str"), kwArg("top", "int"), kwArg("left", "int"), kwArg("bottom", "int"), kwArg("right", "int")),
			call("output", "ImageTransformationResult", "ImageTransformationResult", "Encode the result in a format.", kwArg("format", "str"), kwArg("quality", "int"), kwArg("background", "str")),
		},
	},
	{
		Name:    "ImageTransformationResult",
		Doc:     "The encoded output of an image transformation.",
		DocsURL: "https://developers.cloudflare.com/images/transform-images/bindings/",
		Members: []Member{
			syncCall("response", "Response", "Response", "The image as an HTTP response."),
			syncCall("contentType", "str", "", "The MIME type of the image."),
			syncCall("image", "ReadableStream", "", "The image bytes as a stream."),
		},
	},
	{
		Name:    "SecretsStoreSecret",
		Doc:     "One secret from a Secrets Store (secrets_store_secrets binding).",
		DocsURL: "https://developers.cloudflare.com/secrets-store/integrations/workers/",
		Members: []Member{
			call("get", "str", "", "Read the secret's value; an error when it does not exist."),
		},
	},
	{
		Name:    "Pipeline",
		Doc:     "A Pipelines stream to send records to (pipelines binding).",
		DocsURL: "https://developers.cloudflare.com/pipelines/streams/writing-to-streams/",
		Members: []Member{
			call("send", "None", "", "Send a list of JSON-serialisable records.", arg("records", "list[dict]")),
		},
	},
	{
		Name:    "RateLimit",
		Doc:     "A rate limiter (ratelimits binding).",
		DocsURL: "https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/",
		Members: []Member{
			call("limit", "dict", "", "Count a hit for a key: {success} is False once over the limit.", kwArg("key", "str")),
		},
	},

	// ---- Handler arguments and self.ctx ----
	{
		Name:    "ExecutionContext",
		Doc:     "What self.ctx is inside a WorkerEntrypoint.",
		DocsURL: "https://developers.cloudflare.com/workers/runtime-apis/context/",
		Members: []Member{
			syncCall("waitUntil", "None", "", "Keep the Worker running after the response until an awaitable finishes.", arg("promise", "Awaitable")),
			syncCall("passThroughOnException", "None", "", "On an uncaught error, send the request on to the origin instead of failing."),
			prop("props", "Any", "", "Values given by the caller that bound this entrypoint (service binding props)."),
			prop("exports", "dict", "", "Loopback bindings to this Worker's own exports."),
			syncCall("abort", "None", "", "Abort the current request's processing.", optArg("reason", "Any")),
		},
	},
	{
		Name:    "ScheduledController",
		Doc:     "The controller a scheduled(self, controller) handler receives for a Cron Trigger.",
		DocsURL: "https://developers.cloudflare.com/workers/runtime-apis/handlers/scheduled/",
		Members: []Member{
			prop("scheduledTime", "int", "", "When the trigger was due, in ms since the epoch."),
			prop("cron", "str", "", "The cron expression that fired."),
			syncCall("noRetry", "None", "", "Do not retry this run if it fails."),
		},
	},
	{
		Name:    "Request",
		Doc:     "workers.Request: an incoming or outgoing HTTP request with snake_case properties.",
		DocsURL: "https://developers.cloudflare.com/workers/runtime-apis/request/",
		Members: []Member{
			prop("url", "str", "", "The full URL."),
			prop("method", "HTTPMethod", "", "The HTTP method."),
			prop("headers", "email.message.Message", "", "The request headers (case-insensitive lookup)."),
			prop("body", "ReadableStream | None", "", "The body as a JS stream."),
			prop("body_used", "bool", "", "Whether the body was already read."),
			prop("cf", "JsProxy | None", "", "Cloudflare's request properties (colo, country, ...); None when absent."),
			prop("cache", "str", "", "The request's cache mode."),
			prop("credentials", "str", "", "The credentials mode."),
			prop("destination", "str", "", "The kind of content requested."),
			prop("integrity", "str", "", "The subresource integrity value."),
			prop("is_history_navigation", "bool", "", "Whether this is a history navigation."),
			prop("keepalive", "bool", "", "Whether the request may outlive the page."),
			prop("mode", "str", "", "The request mode."),
			prop("redirect", "str", "", "How redirects are handled."),
			prop("referrer", "str", "", "The referrer."),
			prop("referrer_policy", "str", "", "The referrer policy."),
			prop("js_object", "js.Request", "", "The underlying JS Request."),
			call("text", "str", "", "Read the body as text."),
			call("json", "Any", "", "Read the body and parse it as JSON."),
			call("bytes", "bytes", "", "Read the body as bytes."),
			call("buffer", "js.ArrayBuffer", "", "Read the body as a JS ArrayBuffer."),
			call("form_data", "FormData", "", "Read the body as form data."),
			call("blob", "Blob", "", "Read the body as a Blob."),
			syncCall("clone", "Request", "Request", "A copy whose body can be read separately."),
		},
	},
	{
		Name:    "Response",
		Doc:     "workers.Response: an HTTP response to return from fetch, or one that fetch() gave back.",
		DocsURL: "https://developers.cloudflare.com/workers/runtime-apis/response/",
		Members: []Member{
			prop("status", "int", "", "The HTTP status code."),
			prop("status_text", "str", "", "The status message."),
			prop("ok", "bool", "", "Whether the status is 2xx."),
			prop("headers", "email.message.Message", "", "The response headers."),
			prop("url", "str", "", "The URL the response came from."),
			prop("redirected", "bool", "", "Whether a redirect was followed."),
			prop("type", "str", "", "The response type."),
			prop("body", "ReadableStream | None", "", "The body as a JS stream."),
			prop("body_used", "bool", "", "Whether the body was already read."),
			prop("js_object", "js.Response", "", "The underlying JS Response."),
			call("text", "str", "", "Read the body as text."),
			call("json", "Any", "", "Read the body and parse it as JSON (on the class: build a JSON response)."),
			call("bytes", "bytes", "", "Read the body as bytes."),
			call("buffer", "js.ArrayBuffer", "", "Read the body as a JS ArrayBuffer."),
			call("form_data", "FormData", "", "Read the body as form data."),
			call("blob", "Blob", "", "Read the body as a Blob."),
			syncCall("clone", "Response", "Response", "A copy whose body can be read separately."),
			syncCall("replace_body", "Response", "Response", "A response with the same status and headers but another body.", arg("body", "str | bytes | FormData | ReadableStream")),
			syncCall("raise_for_status", "None", "", "Raise OSError when the status is 4xx or 5xx."),
			static(syncCall("from_json", "Response", "Response", "Build a JSON response from a Python value.", arg("data", "Any"), optArg("status", "int"), optArg("status_text", "str"), optArg("headers", "dict"))),
			static(syncCall("redirect", "Response", "Response", "Build a redirect response.", arg("url", "str"), optArg("status", "int"))),
		},
	},
}

// r2ObjectMembers are shared by R2Object and R2ObjectBody (which extends it).
var r2ObjectMembers = []Member{
	prop("key", "str", "", "The object's key."),
	prop("version", "str", "", "A unique id of this upload of the object."),
	prop("size", "int", "", "Size in bytes."),
	prop("etag", "str", "", "The etag, without quotes."),
	prop("httpEtag", "str", "", "The etag quoted for an ETag header."),
	prop("checksums", "dict", "", "Stored checksums (md5, sha1, ...)."),
	prop("uploaded", "datetime", "", "When the object was stored."),
	prop("httpMetadata", "dict | None", "", "Content-Type, Cache-Control and the like stored with the object."),
	prop("customMetadata", "dict[str, str] | None", "", "User-defined metadata."),
	prop("range", "dict | None", "", "The byte range returned, when one was asked for."),
	prop("storageClass", "str", "", "Standard or InfrequentAccess."),
	prop("ssecKeyMd5", "str | None", "", "MD5 of the customer key the object is encrypted with, if any."),
	syncCall("writeHttpMetadata", "None", "", "Copy the stored HTTP metadata into a Headers object.", arg("headers", "Headers")),
}

// sdkExportTable lists what `from workers import ...` offers
// (workers-runtime-sdk's __all__ plus its submodules).
var sdkExportTable = []Export{
	{"WorkerEntrypoint", "class", "class WorkerEntrypoint(ctx, env)", "Base class of a Worker's handlers (fetch, scheduled, queue, RPC methods); keeps self.ctx and self.env."},
	{"DurableObject", "class", "class DurableObject(ctx, env)", "Base class of a Durable Object; self.ctx is its state (storage, WebSockets)."},
	{"WorkflowEntrypoint", "class", "class WorkflowEntrypoint(ctx, env)", "Base class of a Workflow; implement async run(self, event, step)."},
	{"Response", "class", "Response(body=None, status=200, status_text=\"\", headers=None, web_socket=None)", "An HTTP response; Response.json(data) and Response.redirect(url) build common ones."},
	{"Request", "class", "Request(input, **options)", "An HTTP request with snake_case properties and async body readers."},
	{"FetchResponse", "class", "FetchResponse", "Base class of Response (pyodide.http.FetchResponse plus body and headers)."},
	{"Headers", "class", "Headers", "Type accepted for headers: a dict, a list of pairs or a JS Headers."},
	{"Blob", "class", "Blob(blob_parts, content_type=None, endings=None)", "Raw data with a MIME type, as in the web API."},
	{"File", "class", "File(blob_parts, filename, content_type=None, endings=None, last_modified=None)", "A named Blob, e.g. an uploaded form field."},
	{"FormData", "class", "FormData(form_data=None)", "Form fields and files, readable from request.form_data()."},
	{"Context", "class", "Context", "Type of self.ctx in a WorkerEntrypoint."},
	{"FetchKwargs", "class", "FetchKwargs", "Typed keyword arguments fetch() and Request accept (method, headers, body, ...)."},
	{"RequestInitCfProperties", "class", "RequestInitCfProperties", "Typed cf= options of an outgoing request (cache settings, image resizing...)."},
	{"Body", "variable", "Body", "Type alias of values accepted as a request or response body."},
	{"JSBody", "variable", "JSBody", "Type alias of JS values accepted as a body."},
	{"BlobValue", "variable", "BlobValue", "Type alias of the parts a Blob is built from."},
	{"BlobEnding", "variable", "BlobEnding", "Type alias of Blob line-ending modes."},
	{"FormDataValue", "variable", "FormDataValue", "Type alias of a form field's value (str or File)."},
	{"fetch", "function", "async fetch(resource, **kwargs) -> Response", "Make an outgoing HTTP request; returns a workers.Response."},
	{"handler", "function", "@handler", "Legacy decorator for module-level on_fetch/on_scheduled handlers."},
	{"import_from_javascript", "function", "import_from_javascript(name)", "Import a JS module such as \"cloudflare:workers\" or \"cloudflare:sockets\"."},
	{"patch_env", "function", "patch_env(**bindings)", "Context manager that replaces bindings of the module-level env, e.g. in tests."},
	{"python_to_rpc", "function", "python_to_rpc(value)", "Convert a Python value to what can be sent over RPC."},
	{"python_from_rpc", "function", "python_from_rpc(value)", "Convert a value received over RPC to Python."},
	{"env", "variable", "env", "The Worker's bindings, reachable outside a handler (lazy module attribute)."},
	{"wait_until", "function", "wait_until(awaitable)", "Extend the current request's lifetime until the awaitable finishes (lazy module attribute)."},
	{"waitUntil", "function", "waitUntil(awaitable)", "JS-style alias of wait_until."},
	{"asgi", "module", "workers.asgi", "Serve an ASGI app (FastAPI, Starlette): await workers.asgi.fetch(app, request, env)."},
	{"wsgi", "module", "workers.wsgi", "Serve a WSGI app (Flask): await workers.wsgi.fetch(app, request, env)."},
	{"workflows", "module", "workers.workflows", "Workflow helpers, e.g. NonRetryableError to fail a step without retries."},
}

// pythonFlagTable lists the Python-related compatibility flags and the
// compatibility_date from which each is on by default ("" when only
// explicit).
var pythonFlagTable = []Flag{
	{"python_workers", "Required for every Python Worker: runs the Worker on Pyodide.", ""},
	{"python_workers_20250116", "Selects Python 3.13 with Pyodide 0.28 (also implied by a date from 2025-09-29).", "2025-09-29"},
	{"no_python_workers_20250116", "Opts out of the Python 3.13 runtime, keeping Python 3.12.", ""},
	{"python_workers_20260610", "Selects Python 3.14 with Pyodide 314.0.x (explicit only).", ""},
	{"python_workers_20260817", "Selects the next Pyodide (314.0.5); experimental, needs the experimental flag.", ""},
	{"python_no_global_handlers", "Module-level on_fetch/on_scheduled handlers are ignored; only classes such as Default(WorkerEntrypoint) are called.", "2025-08-14"},
	{"python_workflows", "Allows Workflows written in Python.", "2025-09-20"},
	{"disable_python_workflows", "Opts out of Python Workflows.", ""},
	{"python_dedicated_snapshot", "Takes a memory snapshot after the module's top level runs (with Python 3.13).", "2025-10-16"},
	{"python_check_rng_state", "Deploy fails when randomness was used at module top level.", "2025-12-16"},
	{"python_request_headers_preserve_commas", "Request header values keep their commas instead of being split.", "2026-02-17"},
	{"python_workflows_implicit_dependencies", "@step.do takes its dependencies from the step function's parameter names.", "2026-02-25"},
	{"enable_python_external_sdk", "The runtime stops providing the workers module: workers-runtime-sdk must be vendored as a dependency.", "2026-04-21"},
	{"python_process_pth_files", ".pth files in python_modules/ are processed at startup.", "2026-05-26"},
	{"experimental", "Unlocks experimental flags such as python_workers_20260817.", ""},
}
