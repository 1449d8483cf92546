"""The dev server as its users' own test suites use it: start
`pyworkers-lsp dev`, wait for "Ready on", send requests with `requests`.
Run by run.sh (make dev-test) against the built binary."""
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).parent
BIN = os.environ.get("PYWORKERS_BIN", str(HERE.parent.parent / "bin" / "pyworkers-lsp"))


class Dev:
    def __init__(self, root, args=None):
        self.root = root
        self.lines = []
        if args is None:
            args = ["-c", "app/wrangler.jsonc", "-c", "other/wrangler.jsonc",
                    "--persist-to", str(root / "state"), "--var", "FLAVOUR:mint"]
        self.proc = subprocess.Popen(
            [BIN, "dev", "--port", "0", *args],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        m = self.wait_for(r"Ready on (http://127\.0\.0\.1:\d+)", timeout=180)
        self.url = m.group(1)

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def log(self):
        return "\n".join(self.lines)

    def wait_for(self, pattern, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.log())
            if m:
                return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"no {pattern!r} in the dev server's output:\n{self.log()}")

    def get(self, path, **kw):
        return requests.get(self.url + path, timeout=60, **kw)

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=30)


def data(root, *args):
    """A local data command on the state dev uses (same --persist-to)."""
    out = subprocess.run([BIN, *args, "-c", "app/wrangler.jsonc", "--persist-to", str(root / "state")],
                         cwd=root, capture_output=True, text=True, timeout=120)
    return out


@pytest.fixture
def dev(tmp_path):
    root = tmp_path / "workers"
    shutil.copytree(HERE / "app", root / "app", ignore=shutil.ignore_patterns(".pyworkers", "__pycache__"))
    shutil.copytree(HERE / "other", root / "other", ignore=shutil.ignore_patterns(".pyworkers", "__pycache__"))
    # Seeded as users do before `dev`: migrations, then a seed file.
    assert data(root, "d1", "migrations", "apply", "DB").returncode == 0
    seeded = data(root, "d1", "execute", "DB", "--file", "app/seed.sql")
    assert seeded.returncode == 0, seeded.stderr
    d = Dev(root)
    yield d
    if d.proc.poll() is None:
        d.proc.kill()
        d.proc.wait()


def test_hello_and_request_log(dev):
    r = dev.get("/")
    assert r.status_code == 200 and r.text == "hello from dev-app"
    dev.wait_for(r"\[pyworkers\] GET / 200 OK \(\d+ ms\)")
    assert dev.get("/nope").status_code == 404


def test_kv_round_trip_and_state_survives_a_restart(dev):
    assert requests.put(dev.url + "/kv?key=colour", data="teal", timeout=30).status_code == 201
    assert dev.get("/kv?key=colour").text == "teal"
    assert dev.stop() == 0
    again = Dev(dev.root)
    try:
        assert again.get("/kv?key=colour").text == "teal"
    finally:
        assert again.stop() == 0


def test_durable_object_counts_and_its_alarm_fires(dev):
    assert dev.get("/do?name=a&by=2").text == "2"
    assert dev.get("/do?name=a&by=3").text == "5"
    assert dev.get("/do?name=b").text == "1"
    assert dev.get("/alarm?name=a&ms=200").text == "set"
    dev.wait_for(r"alarm of Counter a: ok", timeout=10)
    assert dev.get("/rang?name=a").text == "true"


def test_workflow_runs_in_the_background(dev):
    r = dev.get("/wf?n=5&tag=w")
    assert r.status_code == 202
    deadline = time.monotonic() + 10
    while dev.get("/kv?key=flow-w").text != "10":
        assert time.monotonic() < deadline, dev.log()
        time.sleep(0.05)


def test_queue_consumer_receives_batches(dev):
    for job in ("x", "y", "z"):  # a full batch (max_batch_size 3) goes at once
        assert dev.get(f"/send?job={job}").status_code == 202
    dev.wait_for(r"queue jobs: batch of 3 delivered \(3 acked\)", timeout=5)
    assert dev.get("/kv?key=job-z").text == "done"


def test_cron_through_test_scheduled(dev):
    r = dev.get("/__scheduled", params={"cron": "*/5 * * * *"})
    assert r.status_code == 200 and r.text == "Ran scheduled event"
    assert dev.get("/kv?key=cron").text == "*/5 * * * *"


def test_second_worker_through_a_service_binding(dev):
    assert dev.get("/svc").text == "hello from dev-other 5"


def test_errors_are_500_with_the_real_file(dev):
    r = dev.get("/error")
    assert r.status_code == 500
    assert str(dev.root / "app" / "src" / "entry.py") in r.text
    assert "/session/metadata" not in r.text
    assert dev.get("/").status_code == 200


def test_concurrent_requests_interleave(dev):
    dev.get("/")
    with ThreadPoolExecutor(max_workers=12) as pool:
        start = time.monotonic()
        slow = pool.submit(dev.get, "/slow?s=1")
        time.sleep(0.1)
        quick = [pool.submit(dev.get, "/") for _ in range(10)]
        assert all(f.result().status_code == 200 for f in quick)
        quick_done = time.monotonic() - start
        assert slow.result().text == "slow done"
        slow_done = time.monotonic() - start
    assert quick_done < slow_done and slow_done >= 1.0


def test_reload_on_save(dev):
    src = dev.root / "app" / "src" / "entry.py"
    src.write_text(src.read_text().replace('from dev-app"', 'from the saved dev-app"'))
    dev.wait_for(r"Reloaded \(src/entry.py changed, \d+ ms\)", timeout=30)
    assert dev.get("/").text == "hello from the saved dev-app"


def test_var_flag_and_clean_exit(dev):
    assert dev.get("/flavour").text == "mint"
    assert dev.stop() == 0
    assert "stopping" in dev.log()


def test_d1_seeded_by_the_data_commands(dev):
    assert dev.get("/notes").json() == [
        {"body": "first note", "author": "ada"},
        {"body": "second; with a semicolon", "author": "grace"},
    ]
    added = data(dev.root, "d1", "execute", "notes-db", "--command", "INSERT INTO notes (body) VALUES ('live')")
    assert added.returncode == 0, added.stderr
    assert [n["body"] for n in dev.get("/notes").json()][-1] == "live"
    bad = data(dev.root, "d1", "execute", "DB", "--command", "INSERT INTO notes (nope) VALUES (1)")
    assert bad.returncode == 1 and "no column named nope" in bad.stderr


def test_kv_and_r2_commands_share_the_servers_state(dev):
    assert data(dev.root, "kv", "key", "put", "colour", "amber").returncode == 0
    assert dev.get("/kv?key=colour").text == "amber"
    (dev.root / "note.txt").write_text("stored in r2")
    assert data(dev.root, "r2", "object", "put", "dev-files/note.txt", "--file", "note.txt").returncode == 0
    assert dev.get("/file?key=note.txt").text == "stored in r2"
    requests.put(dev.url + "/kv?key=from-worker", data="w", timeout=30)
    got = data(dev.root, "kv", "key", "get", "from-worker")
    assert got.returncode == 0 and got.stdout == "w"


def test_durable_object_of_the_second_worker(dev):
    assert dev.get("/tally?n=4").text == "4"
    assert dev.get("/tally?n=1").text == "5"


def test_workflow_sleeps_for_real_and_takes_an_event(dev):
    start = time.monotonic()
    assert dev.get("/sleepy?tag=p&sleep=500 milliseconds").status_code == 202
    while dev.get("/kv?key=sleepy-p").text != "awake":
        assert time.monotonic() - start < 15, dev.log()
        time.sleep(0.05)
    assert time.monotonic() - start >= 0.5
    assert dev.get("/approve?tag=p&by=grace").status_code == 202
    while not dev.get("/kv?key=verdict-p").text.startswith("approved"):
        assert time.monotonic() - start < 15, dev.log()
        time.sleep(0.05)
    assert dev.get("/kv?key=verdict-p").text == "approved grace"


def test_static_assets_through_dev(tmp_path):
    """The assets fixture (../assets/worker): files before the Worker."""
    root = tmp_path / "site"
    shutil.copytree(HERE.parent / "assets" / "worker", root, ignore=shutil.ignore_patterns(".pyworkers", "__pycache__"))
    d = Dev(root, [])
    try:
        r = d.get("/")
        assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8" and "Home" in r.text
        css = d.get("/style.css")
        assert css.headers["content-type"] == "text/css; charset=utf-8"
        assert d.get("/style.css", headers={"If-None-Match": css.headers["etag"]}).status_code == 304
        assert d.get("/favicon.ico").headers["content-type"] == "image/vnd.microsoft.icon"
        assert d.get("/about.html", allow_redirects=False).headers["location"] == "/about"
        assert d.get("/api/users").json() == {"api": "api/users"}
        assert d.get("/secret.txt").text == "worker: secret.txt"  # .assetsignore: not an asset
        assert "About (via ASSETS)" in d.get("/via-binding").text
    finally:
        assert d.stop() == 0


def test_workflow_of_the_second_worker(dev):
    r = dev.get("/relay?word=hello")
    assert r.status_code == 202
    deadline = time.monotonic() + 15
    while True:
        st = dev.get(f"/relay-status?id={r.text}").json()
        if st["status"] == "complete":
            break
        assert time.monotonic() < deadline, (st, dev.log())
        time.sleep(0.05)
    assert st["output"] == "HELLO"


def test_websockets_through_dev(tmp_path):
    """The WebSocket fixture (../websocket): echo, and a chat room on a
    Durable Object with the hibernation API, with the websockets library."""
    from websockets.sync.client import connect

    root = tmp_path / "sockets"
    shutil.copytree(HERE.parent / "websocket", root, ignore=shutil.ignore_patterns(".pyworkers", "__pycache__"))
    d = Dev(root, [])
    ws_url = "ws" + d.url[len("http"):]
    try:
        with connect(ws_url + "/echo") as echo:
            echo.send("ping")
            assert echo.recv(timeout=10) == "echo: ping"
        with connect(ws_url + "/chat?room=py&name=ada") as ada, connect(ws_url + "/chat?room=py&name=lin") as lin:
            assert ada.recv(timeout=10) == "lin joined"
            lin.send("hello ada")
            assert ada.recv(timeout=10) == "lin: hello ada"
            assert lin.recv(timeout=10) == "lin: hello ada"
        d.wait_for(r"GET /chat\?room=py&name=lin 101 Switching Protocols")
    finally:
        assert d.stop() == 0


def test_second_worker_has_its_own_isolate_and_websockets(dev):
    first = int(dev.get("/svc-count").text)
    assert int(dev.get("/svc-count").text) == first + 1  # its globals persist
    assert dev.get("/svc-ws?say=hey").text == "other got hey"


def test_single_page_application_through_dev(tmp_path):
    root = tmp_path / "spa"
    shutil.copytree(HERE.parent / "assets" / "worker", root, ignore=shutil.ignore_patterns(".pyworkers", "__pycache__"))
    d = Dev(root, ["--env", "spa"])
    try:
        page = d.get("/app/settings", headers={"Sec-Fetch-Mode": "navigate"})
        assert page.status_code == 200 and "<h1>Home</h1>" in page.text
        assert d.get("/app/settings").text == "worker: app/settings"
    finally:
        assert d.stop() == 0
