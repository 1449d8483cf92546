// Unit tests of the extension's own logic (no VS Code needed):
// server path resolution, settings mapping, status text, lens choice.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";

import { lensAtCursor, type LensLike } from "../lenses";
import { bundledServerPath, expandConfiguredPath, resolveServer, type ResolveInput } from "../serverPath";
import { errorText, levelOf, Notifier, prefixed, showLogAction } from "../notify";
import { answerConfiguration, defaults, didChangeConfigurationParams, initializationOptions, needsRestart, toServerSettings } from "../settings";
import { devStatusView, parseDevServerStatus, parseRuntimeStatus, statusView } from "../status";
import { isHTML, parseResult, previewHTML } from "../result";
import { bindingNode, tree, type WorkerState } from "../bindingsTree";
import * as fs from "node:fs";

function input(over: Partial<ResolveInput>, executables: string[] = []): ResolveInput {
  const set = new Set(executables);
  return {
    configured: "",
    extensionPath: "/ext",
    platform: "linux",
    arch: "x64",
    envPath: "/usr/local/bin:/usr/bin",
    home: "/home/me",
    workspaceFolder: "/work/app",
    isExecutable: (p) => set.has(p),
    ...over,
  };
}

describe("resolveServer", () => {
  it("prefers pyworkers.serverPath", () => {
    const r = resolveServer(input({ configured: "/opt/pw/pyworkers-lsp" }, ["/opt/pw/pyworkers-lsp", "/ext/server/pyworkers-lsp", "/usr/bin/pyworkers-lsp"]));
    assert.deepEqual(r, { path: "/opt/pw/pyworkers-lsp", source: "setting" });
  });
  it("expands ~, ${workspaceFolder} and relative paths", () => {
    assert.equal(expandConfiguredPath("~/bin/pyworkers-lsp", "/home/me"), "/home/me/bin/pyworkers-lsp");
    assert.equal(expandConfiguredPath("${workspaceFolder}/bin/pyworkers-lsp", "/home/me", "/work/app"), "/work/app/bin/pyworkers-lsp");
    assert.equal(expandConfiguredPath("bin/pyworkers-lsp", "/home/me", "/work/app"), "/work/app/bin/pyworkers-lsp");
    assert.throws(() => expandConfiguredPath("${workspaceFolder}/x", "/home/me"), /no folder is open/);
  });
  it("reports a configured path that is not executable instead of falling back", () => {
    assert.throws(() => resolveServer(input({ configured: "/nope/pyworkers-lsp" }, ["/usr/bin/pyworkers-lsp"])), /not an executable/);
  });
  it("uses the bundled binary on linux-x64", () => {
    const bundled = bundledServerPath("/ext", "linux");
    assert.equal(bundled, path.join("/ext", "server", "pyworkers-lsp"));
    assert.deepEqual(resolveServer(input({}, [bundled, "/usr/bin/pyworkers-lsp"])), { path: bundled, source: "bundled" });
  });
  it("uses the bundled binary of every release target", () => {
    for (const [platform, arch] of [["linux", "arm64"], ["darwin", "arm64"], ["darwin", "x64"], ["win32", "x64"]]) {
      const bundled = bundledServerPath("/ext", platform);
      assert.deepEqual(resolveServer(input({ platform, arch }, [bundled])), { path: bundled, source: "bundled" }, `${platform}-${arch}`);
    }
    assert.ok(bundledServerPath("C:\\ext", "win32").endsWith("pyworkers-lsp.exe"));
  });
  it("ignores a bundled binary on targets without a release and searches PATH", () => {
    const bundled = bundledServerPath("/ext", "linux");
    assert.deepEqual(resolveServer(input({ arch: "ppc64" }, [bundled, "/usr/bin/pyworkers-lsp"])), { path: "/usr/bin/pyworkers-lsp", source: "path" });
  });
  it("searches PATH in order, skipping empty entries", () => {
    const r = resolveServer(input({ envPath: ":/a:/b" }, ["/b/pyworkers-lsp", "/a/pyworkers-lsp"]));
    assert.deepEqual(r, { path: "/a/pyworkers-lsp", source: "path" });
  });
  it("uses pyworkers-lsp.exe and ; on Windows", () => {
    const r = resolveServer(input({ platform: "win32", envPath: "C:\\x;C:\\tools", extensionPath: "C:\\ext" }, [path.join("C:\\tools", "pyworkers-lsp.exe")]));
    assert.equal(r?.source, "path");
    assert.ok(r?.path.endsWith("pyworkers-lsp.exe"));
  });
  it("returns undefined when nothing is found", () => {
    assert.equal(resolveServer(input({})), undefined);
  });
});

describe("toServerSettings", () => {
  const from = (values: Record<string, unknown>) => toServerSettings((k) => values[k]);
  it("maps every setting to the server's names", () => {
    assert.deepEqual(
      from({
        environment: "staging",
        disabledRules: ["PW009", " pw008 ", "PW009", ""],
        "runtime.timeoutSeconds": 5,
        "runtime.memoryLimitMB": 128.4,
        "runtime.allowNet": true,
        packagesURL: " http://127.0.0.1:9/pyodide/ ",
        serverPath: "/x",
        "trace.server": "verbose",
      }),
      { environment: "staging", disabledRules: ["PW009", "PW008"], runTimeoutSeconds: 5, memoryLimitMB: 128, allowNet: true,
        packagesURL: "http://127.0.0.1:9/pyodide/" },
    );
  });
  it("falls back to the defaults for missing or ill-typed values", () => {
    assert.deepEqual(from({}), defaults);
    assert.deepEqual(from({ environment: 3, disabledRules: "PW009", "runtime.timeoutSeconds": -1, "runtime.memoryLimitMB": "big", "runtime.allowNet": "yes", packagesURL: 9 }), defaults);
  });
  it("wraps the section for initializationOptions and didChangeConfiguration", () => {
    const s = from({ environment: "prod" });
    assert.deepEqual(initializationOptions(s), { pyworkers: s });
    assert.deepEqual(didChangeConfigurationParams(s), { settings: { pyworkers: s } });
  });
  it("answers workspace/configuration with the mapped section", () => {
    const s = from({ environment: "prod", "runtime.allowNet": true });
    const answers = answerConfiguration([{ section: "pyworkers" }, { section: "python" }, { section: "pyworkers.environment" }, {}], s, (i) => `vscode-${i}`);
    assert.deepEqual(answers, [s, "vscode-1", "prod", "vscode-3"]);
  });
  it("restarts only for serverPath", () => {
    assert.equal(needsRestart((s) => s === "pyworkers.serverPath"), true);
    assert.equal(needsRestart((s) => s === "pyworkers.environment"), false);
  });
});

describe("status bar", () => {
  it("shows the environment and the runtime state", () => {
    assert.match(statusView("", "compiling").text, /Workers · .*compiling…/);
    assert.match(statusView("staging", "ready").text, /staging · .*ready/);
    assert.match(statusView("staging", "error", "boom").tooltip, /env\.staging[\s\S]*error — boom/);
  });
  it("accepts only well-formed pyworkers/runtimeStatus payloads", () => {
    assert.deepEqual(parseRuntimeStatus({ state: "ready", message: "Python 3.13" }), { state: "ready", message: "Python 3.13" });
    assert.deepEqual(parseRuntimeStatus({ state: "compiling" }), { state: "compiling", message: undefined });
    assert.equal(parseRuntimeStatus({ state: "exploded" }), undefined);
    assert.equal(parseRuntimeStatus({ state: "stopped" }), undefined);
    assert.equal(parseRuntimeStatus(null), undefined);
  });
});

describe("lensAtCursor", () => {
  const lens = (start: number, end: number, command = "pyworkers.runHandler"): LensLike => ({
    range: { start: { line: start, character: 4 }, end: { line: end, character: 0 } },
    command: { title: `Run ${start}`, command },
  });
  it("picks the run lens on the cursor's line", () => {
    assert.equal(lensAtCursor([lens(3, 3), lens(9, 9)], 9)?.command?.title, "Run 9");
  });
  it("picks the innermost lens whose range holds the cursor", () => {
    assert.equal(lensAtCursor([lens(1, 20), lens(5, 12)], 7)?.command?.title, "Run 5");
  });
  it("ignores other commands and asks when none is under the cursor", () => {
    assert.equal(lensAtCursor([lens(4, 4, "other.command")], 4), undefined);
    assert.equal(lensAtCursor([lens(3, 3)], 10), undefined);
  });
});

describe("dev server status", () => {
  it("parses the notification and rejects malformed ones", () => {
    assert.deepEqual(parseDevServerStatus({ running: true, url: "http://127.0.0.1:8787", worker: "/w" }), {
      running: true,
      url: "http://127.0.0.1:8787",
      worker: "/w",
    });
    assert.deepEqual(parseDevServerStatus({ running: false }), { running: false, url: undefined, worker: undefined });
    assert.equal(parseDevServerStatus({ running: true }), undefined);
    assert.equal(parseDevServerStatus({ running: true, url: "javascript:alert(1)" }), undefined);
    assert.equal(parseDevServerStatus("yes"), undefined);
  });
  it("shows the address when running, a start button when stopped", () => {
    assert.equal(devStatusView({ running: true, url: "http://127.0.0.1:8787" }).text, "$(radio-tower) 127.0.0.1:8787");
    assert.match(devStatusView({ running: true, url: "http://127.0.0.1:8787", worker: "/w" }).tooltip, /Click to stop/);
    assert.equal(devStatusView({ running: false }).text, "$(play) dev");
  });
});

describe("Notifier", () => {
  it("shows one notification for one failure reported twice, with Show log on errors", async () => {
    const shown: [string, string, string[]][] = [];
    let logs = 0;
    let now = 1000;
    const n = new Notifier(
      async (level, message, actions) => {
        shown.push([level, message, actions]);
        return actions[0];
      },
      () => logs++,
      () => now,
    );
    // The server's showMessage and its failed request carry the same text.
    assert.equal(n.notify("error", prefixed("no Python runtime: x")), true);
    assert.equal(n.notify("error", errorText(new Error("no Python runtime: x"))), false);
    assert.equal(prefixed("pyworkers: 200 OK"), "pyworkers: 200 OK");
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(shown, [["error", "pyworkers: no Python runtime: x", [showLogAction]]]);
    assert.equal(logs, 1);
    now += 10_000; // a later, new failure with the same text is shown again
    assert.equal(n.notify("error", "pyworkers: no Python runtime: x"), true);
    assert.equal(n.notify("info", "pyworkers: fetch → 200"), true);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(shown[2], ["info", "pyworkers: fetch → 200", []]);
    assert.equal(levelOf(1), "error");
    assert.equal(levelOf(2), "warning");
    assert.equal(levelOf(3), "info");
  });
});

describe("result documents", () => {
  // As the server's formatRun writes them.
  const html = "### GET / (12ms)\n\nHTTP/1.1 200 OK\ncontent-type: text/html; charset=utf-8\nx-n: 1\n\n<html><head><title>t</title></head><body><h1>hi</h1>\n\n### not a section</body></html>\n\n### output\n[stdout] rendering\n";
  it("reads status, headers and the body up to the output section", () => {
    const r = parseResult(html);
    assert.equal(r.status, 200);
    assert.deepEqual(r.headers, [["content-type", "text/html; charset=utf-8"], ["x-n", "1"]]);
    assert.equal(r.body, "<html><head><title>t</title></head><body><h1>hi</h1>\n\n### not a section</body></html>");
    assert.equal(isHTML(r.contentType), true);
    assert.equal(isHTML("application/json"), false);
  });
  it("has no body for a run without a response", () => {
    const r = parseResult("### scheduled */5 * * * * (3ms)\n\n### error (Exception)\nboom\n");
    assert.equal(r.status, undefined);
    assert.equal(r.body, "");
  });
  it("previews without scripts or network", () => {
    const page = previewHTML("<html><head><title>t</title></head><body><script>alert(1)</script></body></html>");
    assert.match(page, /<head><meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.match(previewHTML("<p>bare</p>"), /^<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy"[^>]*><\/head><body><p>bare<\/p><\/body><\/html>$/);
  });
  it("ships a grammar whose patterns compile", () => {
    const grammar = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "syntaxes", "pyworkers-result.tmLanguage.json"), "utf8"));
    assert.equal(grammar.scopeName, "source.pyworkers-result");
    const regexes: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) {
        v.forEach(walk);
      } else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if ((k === "match" || k === "begin" || k === "end") && typeof x === "string") {
            regexes.push(x);
          } else {
            walk(x);
          }
        }
      }
    };
    walk(grammar);
    assert.ok(regexes.length >= 8);
    for (const r of regexes) {
      assert.doesNotThrow(() => new RegExp(r, "m"), r);
    }
    assert.match("HTTP/1.1 200 OK", new RegExp(regexes.find((r) => r.startsWith("^(HTTP"))!));
  });
});

describe("bindings view", () => {
  const workers: WorkerState[] = [
    {
      dir: "/p/shop",
      config: "file:///p/shop/wrangler.jsonc",
      environment: "",
      bindings: [
        { binding: "CACHE", kind: "kv_namespaces", resource: "abc", count: 3, items: [{ name: "a", detail: "1" }, { name: "b", detail: "2" }] },
        { binding: "COUNTER", kind: "durable_objects", resource: "Counter", count: 1, items: [{ name: "shared (4f2)", id: "4f2", detail: "1 storage key", children: [{ name: "n", detail: "5" }] }] },
        { binding: "JOBS", kind: "queues.producers", resource: "jobs", count: 1, items: [{ name: "m1", detail: "{\"job\": 1}" }] },
      ],
    },
  ];
  it("lists one Worker's bindings at the top, with counts, items and the rest", () => {
    const nodes = tree(workers);
    assert.deepEqual(
      nodes.map((n) => [n.label, n.description]),
      [
        ["CACHE", "KV · 3 keys"],
        ["COUNTER", "Durable Object · 1 instance"],
        ["JOBS", "Queue · 1 message"],
      ],
    );
    assert.deepEqual(nodes[0].children.map((n) => [n.label, n.kind]), [["a", "item"], ["b", "item"], ["… 1 more", "more"]]);
    assert.equal(nodes[1].children[0].children[0].label, "n");
    // Delete takes the binding, the item's id (a Durable Object's) or name, and the Worker's config.
    assert.deepEqual([nodes[0].children[0].binding, nodes[0].children[0].name, nodes[0].children[0].deletable, nodes[0].children[0].config], ["CACHE", "a", true, "file:///p/shop/wrangler.jsonc"]);
    assert.deepEqual([nodes[1].children[0].name, nodes[1].children[0].deletable], ["4f2", true]);
    assert.equal(nodes[0].children[2].deletable, undefined); // "… 1 more"
  });
  it("groups by Worker when there are several, and says when it could not read", () => {
    const nodes = tree([...workers, { dir: "/p/api", config: "", environment: "staging", bindings: [], error: "boom" }]);
    assert.deepEqual(nodes.map((n) => [n.label, n.kind]), [["shop", "worker"], ["api", "worker"]]);
    assert.equal(nodes[1].description, "env staging");
    assert.deepEqual(nodes[1].children.map((n) => n.kind), ["error"]);
    const d1 = bindingNode({ binding: "X", kind: "d1_databases", resource: "db", count: 1, items: [{ name: "t", detail: "2 rows" }] });
    assert.equal(d1.description, "D1 · 1 table");
    assert.equal(d1.queryable, true);
    assert.equal(d1.children[0].deletable, false); // tables are left to SQL
  });
});
