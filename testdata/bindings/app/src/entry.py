# Exercises the simulated bindings; each path is one scenario and returns
# JSON the Go tests check. Works with the built-in and the real SDK.
import json
from urllib.parse import urlparse, parse_qs

from pyodide.ffi import jsnull
from workers import Response, WorkerEntrypoint


def field(obj, name):
    """obj[name] for SDK dicts (where .keys is dict.keys), else the attribute."""
    if isinstance(obj, dict):
        return obj[name]
    return getattr(obj, name)


def plain(v):
    """JS proxies and SDK dicts to plain Python data, for json.dumps."""
    if v is jsnull:
        return None
    if hasattr(v, "to_py"):
        v = v.to_py()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (bytes, bytearray, memoryview)):
        return list(bytes(v))
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    try:
        return plain(dict(v))
    except Exception:  # noqa: BLE001
        return str(v)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlparse(request.url)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        name = url.path.strip("/").replace("/", "_")
        handler = getattr(self, "do_" + name, None)
        if handler is None:
            return Response("no route " + url.path, status=404)
        try:
            out = await handler(q)
        except Exception as e:  # noqa: BLE001 - the tests read the message
            return Response.json({"error": type(e).__name__, "message": str(e)}, status=500)
        return Response.json(plain(out))

    # ---- what the SDK hands to Python (workers-runtime-sdk 1.6 converts)
    async def do_sdk_types(self, q):
        row = await self.env.DB.prepare("SELECT 7 AS n, 'x' AS s").first()
        missing = await self.env.KV.get("no-such-key")
        return {"row_type": type(row).__name__, "row_n": row["n"], "row_attr": row.s, "missing_is_none": missing is None}

    # ---- KV
    async def do_kv_counter(self, q):
        n = await self.env.KV.get("counter")
        n = int(n or 0) + 1
        await self.env.KV.put("counter", str(n))
        return {"counter": n}

    async def do_kv_basic(self, q):
        kv = self.env.KV
        await kv.put("user:1", json.dumps({"name": "ada"}), metadata={"role": "admin"})
        await kv.put("user:2", "bob", expirationTtl=120)
        await kv.put("blob", b"\x00\x01\x02")
        await kv.put("other", "x")
        text = await kv.get("user:1")
        as_json = await kv.get("user:1", type="json")
        as_json2 = await kv.get("user:1", {"type": "json", "cacheTtl": 60})
        buf = await kv.get("blob", type="arrayBuffer")
        missing = await kv.get("nope")
        meta = await kv.getWithMetadata("user:1", type="json")
        many = await kv.get(["user:1", "user:2", "nope"])
        page1 = await kv.list(prefix="user:", limit=1)
        page2 = await kv.list(prefix="user:", cursor=page1.cursor)
        await kv.delete("other")
        gone = await kv.get("other")
        stream = await kv.get("user:2", type="stream")
        from js import Response as JSResponse
        streamed = await JSResponse.new(stream).text()
        page1, page2 = plain(page1), plain(page2)
        return {
            "text": text,
            "json": plain(as_json),
            "json2": plain(as_json2)["name"],
            "buf": plain(buf),
            "missing": plain(missing),
            "meta": plain(meta),
            "many": plain(many),
            "page1": [k["name"] for k in page1["keys"]] + [page1["list_complete"]],
            "page2": [k["name"] for k in page2["keys"]] + [page2["list_complete"]],
            "page2_keys": page2["keys"],
            "gone": plain(gone),
            "streamed": streamed,
        }

    async def do_kv_expiring(self, q):
        kv = self.env.KV
        if q.get("op") == "put":
            await kv.put("short", "soon gone", expirationTtl=60)
            await kv.put("long", "stays", expirationTtl=3600)
        keys = plain(await kv.list())
        return {"short": plain(await kv.get("short")), "long": plain(await kv.get("long")),
                "keys": [k["name"] for k in keys["keys"]]}

    async def do_kv_bench(self, q):
        n = int(q.get("n", "200"))
        kv = self.env.KV
        from js import Date
        t0 = Date.now()
        for i in range(n):
            await kv.put("k", str(i))
            v = await kv.get("k")
        t1 = Date.now()
        return {"ms": t1 - t0, "n": n, "last": v}

    # ---- D1
    async def do_d1_basic(self, q):
        db = self.env.DB
        await db.exec("DROP TABLE IF EXISTS users; CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL, avatar BLOB)")
        ins = await db.prepare("INSERT INTO users (name, score) VALUES (?, ?)").bind("ada", 9.5).run()
        await db.prepare("INSERT INTO users (name, score) VALUES (?1, ?2)").bind("bob", 7).run()
        first = await db.prepare("SELECT * FROM users WHERE name = ?").bind("ada").first()
        name = await db.prepare("SELECT name FROM users ORDER BY id DESC").first("name")
        none = await db.prepare("SELECT * FROM users WHERE name = ?").bind("zed").first()
        allr = await db.prepare("SELECT id, name FROM users ORDER BY id").all()
        raw = await db.prepare("SELECT id, name FROM users ORDER BY id").raw(columnNames=True)
        batch = await db.batch([
            db.prepare("INSERT INTO users (name) VALUES (?)").bind("cy"),
            db.prepare("UPDATE users SET score = score + 1 WHERE score IS NOT NULL"),
            db.prepare("SELECT count(*) AS n FROM users"),
        ])
        try:
            await db.batch([
                db.prepare("INSERT INTO users (name) VALUES (?)").bind("dee"),
                db.prepare("INSERT INTO users (name) VALUES (?)").bind("ada"),
            ])
            batch_err = None
        except Exception as e:  # noqa: BLE001
            batch_err = str(e)
        dee = await db.prepare("SELECT count(*) AS n FROM users WHERE name = 'dee'").first("n")
        try:
            await db.prepare("SELECT * FROM missing").all()
            sql_err = None
        except Exception as e:  # noqa: BLE001
            sql_err = str(e)
        return {
            "insert_meta": {k: plain(ins)["meta"][k] for k in ("changes", "last_row_id", "rows_written")},
            "insert_success": plain(ins)["success"],
            "first": plain(first), "name": name, "none": plain(none),
            "all": plain(allr)["results"], "all_success": plain(allr)["success"],
            "raw": plain(raw),
            "batch_n": plain(batch)[2]["results"][0]["n"], "batch_changes": plain(batch)[1]["meta"]["changes"],
            "batch_err": batch_err, "dee": dee, "sql_err": sql_err,
        }

    async def do_d1_insert(self, q):
        db = self.env.DB
        await db.exec("CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, who TEXT)")
        for i in range(int(q.get("n", "20"))):
            await db.prepare("INSERT INTO hits (who) VALUES (?)").bind(q.get("who", "x")).run()
        return {"n": await db.prepare("SELECT count(*) AS n FROM hits").first("n")}

    async def do_d1_bench(self, q):
        db = self.env.DB
        n = int(q.get("rows", "1000"))
        await db.exec("DROP TABLE IF EXISTS big; CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, score REAL)")
        await db.prepare("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
                         "INSERT INTO big (name, score) SELECT 'row ' || x, x * 0.5 FROM c").bind(n).run()
        from js import Date
        times = []
        for _ in range(int(q.get("iters", "5"))):
            t0 = Date.now()
            res = await db.prepare("SELECT * FROM big").all()
            rows = field(res, "results")
            count = len(rows)
            t1 = Date.now()
            times.append(t1 - t0)
        return {"count": count, "ms": times}

    async def do_d1_bind(self, q):
        # prepare().bind() n times in one run (issue 17: was quadratic)
        db = self.env.DB
        from js import Date
        n = int(q.get("n", "1000"))
        t0 = Date.now()
        keep = []
        for i in range(n):
            st = db.prepare("SELECT ? AS v").bind(i)
            if q.get("keep"):
                keep.append(st)
        t1 = Date.now()
        last = await st.first("v")
        return {"n": n, "ms": t1 - t0, "last": last}

    # ---- host memory (issue 17): loops whose JS side must stay bounded
    async def do_mem_sleep(self, q):
        import asyncio
        for _ in range(int(q.get("n", "1000"))):
            await asyncio.sleep(0)
        return {"ok": True}

    async def do_mem_objects(self, q):
        from js import Object
        keep = []
        for i in range(int(q.get("n", "1000"))):
            o = Object.new()
            o.x = i
            if q.get("keep"):
                keep.append(o)
        return {"ok": True, "kept": len(keep)}

    async def do_mem_timers(self, q):
        from js import setTimeout
        from pyodide.ffi import create_proxy
        cb = create_proxy(lambda: None)
        for _ in range(int(q.get("n", "1000"))):
            setTimeout(cb, 1e9)
        return {"ok": True}

    async def do_mem_kv(self, q):
        kv = self.env.KV
        await kv.put("k", "v" * 100)
        for _ in range(int(q.get("n", "1000"))):
            v = await kv.get("k")
        return {"ok": True, "len": len(v)}

    async def do_mem_bigfile(self, q):
        import os
        name = os.path.join(os.path.dirname(__file__), q.get("name", "big.bin"))
        size = os.stat(name).st_size
        # Pyodide's CPython has a 32-bit off_t: it cannot seek past 2 GiB
        with open(name, "rb") as f:
            head = f.read(5).decode()
            f.seek((1 << 31) - 6)
            mid = f.read(5).decode()
        return {"size": size, "head": head, "mid": mid}

    # ---- R2
    async def do_r2_basic(self, q):
        b = self.env.BUCKET
        put = await b.put("docs/a.txt", "hello r2", httpMetadata={"contentType": "text/plain"},
                          customMetadata={"owner": "ada"})
        await b.put("docs/sub/b.json", json.dumps({"n": 1}))
        await b.put("docs/sub/c.bin", b"\x00\xff")
        await b.put("img/x.png", b"png")
        await b.put("top.txt", "top")
        got = await b.get("docs/a.txt")
        text = await got.text()
        js = await (await b.get("docs/sub/b.json")).json()
        raw = await (await b.get("docs/sub/c.bin")).arrayBuffer()
        part = await (await b.get("docs/a.txt", range={"offset": 6, "length": 2})).text()
        head = await b.head("docs/a.txt")
        missing = await b.get("nope")
        root = await b.list(delimiter="/")
        docs = await b.list(prefix="docs/", delimiter="/", include=["customMetadata", "httpMetadata"])
        page1 = await b.list(limit=2)
        page2 = await b.list(limit=2, cursor=field(page1, "cursor"))
        after = await b.list(startAfter="img/x.png")
        await b.delete(["img/x.png", "top.txt"])
        left = await b.list()
        from js import Response as JSResponse
        stream_text = await JSResponse.new(field(await b.get("docs/a.txt"), "body")).text()

        def keys(res):
            return [field(o, "key") for o in field(res, "objects")]

        docs_objs = field(docs, "objects")
        return {
            "put": {"key": field(put, "key"), "size": field(put, "size"), "etag": field(put, "etag"),
                    "httpEtag": field(put, "httpEtag")},
            "text": text, "json": plain(js), "raw": plain(raw), "range": part,
            "head": {"size": field(head, "size"), "custom": plain(field(head, "customMetadata")),
                     "http": plain(field(head, "httpMetadata")), "has_version": bool(field(head, "version"))},
            "missing": plain(missing),
            "root": {"keys": keys(root), "prefixes": plain(field(root, "delimitedPrefixes"))},
            "docs": {"keys": keys(docs), "prefixes": plain(field(docs, "delimitedPrefixes")),
                     "custom": plain(field(docs_objs[0], "customMetadata"))},
            "page1": keys(page1) + [field(page1, "truncated")],
            "page2": keys(page2) + [field(page2, "truncated")],
            "after": keys(after), "left": keys(left), "stream": stream_text,
        }

    # ---- Queues (producer)
    async def do_queue_send(self, q):
        await self.env.JOBS.send({"job": 1})
        await self.env.JOBS.send("plain text", contentType="text")
        await self.env.JOBS.send({"job": "later"}, delaySeconds=600)
        await self.env.JOBS.sendBatch([{"body": {"job": 2}}, {"body": b"\x01\x02", "contentType": "bytes"}])
        return {"ok": True}

    # ---- Vectorize
    async def do_vec_basic(self, q):
        v = self.env.VEC
        await v.insert([
            {"id": "a", "values": [1.0, 0.0, 0.0], "metadata": {"genre": "rock", "year": 1990}},
            {"id": "b", "values": [0.9, 0.1, 0.0], "metadata": {"genre": "jazz", "year": 2005}},
            {"id": "c", "values": [0.0, 1.0, 0.0], "metadata": {"genre": "rock", "year": 2020}},
            {"id": "d", "values": [0.0, 0.0, 1.0], "namespace": "other", "metadata": {"genre": "pop"}},
        ])
        await v.upsert([{"id": "c", "values": [0.0, 0.9, 0.1], "metadata": {"genre": "rock", "year": 2021}}])
        await v.insert([{"id": "a", "values": [0.0, 0.0, 1.0]}])  # insert keeps the existing vector

        def ids(res):
            return [[field(m, "id"), round(field(m, "score"), 4)] for m in field(res, "matches")]

        top = await v.query([1.0, 0.0, 0.0], topK=2)
        rock = await v.query([1.0, 0.0, 0.0], topK=10, filter={"genre": "rock"}, returnMetadata=True)
        ops = await v.query([1.0, 0.0, 0.0], topK=10, filter={"year": {"$gt": 2000}, "genre": {"$in": ["rock", "jazz"]}})
        nin = await v.query([1.0, 0.0, 0.0], topK=10, filter={"genre": {"$nin": ["rock"]}, "year": {"$lt": 2010}})
        ne = await v.query([1.0, 0.0, 0.0], topK=10, filter={"genre": {"$ne": "rock"}})
        ns = await v.query([0.0, 0.0, 1.0], namespace="other", returnValues=True)
        got = await v.getByIds(["a", "zz", "c"])
        await v.deleteByIds(["b"])
        desc = await v.describe()
        rock_meta = [plain(field(m, "metadata")) for m in field(rock, "matches")]
        return {
            "top": ids(top), "rock": ids(rock), "rock_meta": rock_meta, "ops": ids(ops), "nin": ids(nin),
            "ne": ids(ne), "ns": ids(ns), "ns_values": plain(field(field(ns, "matches")[0], "values")),
            "got": [[field(x, "id"), plain(field(x, "values"))] for x in got],
            "count": plain(field(desc, "vectorCount")), "config": plain(field(desc, "config")),
        }

    async def do_vec_euclid(self, q):
        v = self.env.VEC
        await v.upsert([{"id": "near", "values": [1.0, 1.0]}, {"id": "far", "values": [5.0, 5.0]}])
        res = await v.query([0.0, 0.0], topK=2)
        return {"matches": [[field(m, "id"), round(field(m, "score"), 4)] for m in field(res, "matches")]}

    # ---- Analytics Engine
    async def do_analytics(self, q):
        self.env.EVENTS.writeDataPoint({"indexes": ["user-1"], "blobs": ["GET", "/x"], "doubles": [1.5, 2]})
        self.env.EVENTS.writeDataPoint(blobs=["second"])
        return {"ok": True}

    # ---- Workers AI
    async def do_ai(self, q):
        ai = self.env.AI
        out = {}
        try:
            out["exact"] = plain(await ai.run("@cf/meta/llama-3.1-8b-instruct", {"prompt": "hi"}))
            out["any"] = plain(await ai.run("@cf/baai/bge-base-en-v1.5", {"text": ["whatever"]}))
        except Exception as e:  # noqa: BLE001
            out["error"] = str(e)
        try:
            await ai.run("@cf/meta/llama-3.1-8b-instruct", {"prompt": "not in the fixtures"})
        except Exception as e:  # noqa: BLE001
            out["nomatch"] = str(e)
        return out

    # ---- not simulated
    async def do_hyperdrive(self, q):
        try:
            return {"value": str(self.env.HYPER.connectionString)}
        except Exception as e:  # noqa: BLE001
            return {"error": str(e)}

