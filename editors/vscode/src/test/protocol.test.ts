// Drives the BUILT pyworkers-lsp through vscode-languageserver-protocol (the
// library vscode-languageclient is built on), as the extension does: the
// same initializationOptions and workspace/configuration answers (from
// ../settings), over the child's stdio. Checks completion after
// `self.env.`, PWxxx diagnostics, a Run code lens and the dev server
// commands on editors/testdata/worker.
//
// The binary is $PYWORKERS_BIN, else <repo>/bin/pyworkers-lsp.
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import {
  CodeLensRequest,
  CompletionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
} from "vscode-languageserver-protocol/node";

import { runHandlerCommand } from "../lenses";
import { answerConfiguration, initializationOptions, toServerSettings } from "../settings";
import { devStatusView, parseDevServerStatus, type DevServerStatusParams } from "../status";

// out/test/protocol.test.js -> editors/vscode -> editors -> repo
const vscodeDir = path.resolve(__dirname, "..", "..");
const editorsDir = path.dirname(vscodeDir);
const repo = path.dirname(editorsDir);
const bin = process.env.PYWORKERS_BIN || path.join(repo, "bin", "pyworkers-lsp");
const root = path.join(editorsDir, "testdata", "worker");
const entry = path.join(root, "src", "entry.py");
const entryUri = pathToFileURL(entry).href;
const entryText = fs.readFileSync(entry, "utf8");

// The extension's default settings, mapped as the extension maps them.
const serverSettings = toServerSettings(() => undefined);

let child: ChildProcessWithoutNullStreams;
let conn: ProtocolConnection;
let init: InitializeResult;
let stderr = "";
const diagnostics = new Map<string, Diagnostic[]>();
const diagnosticWaiters: (() => void)[] = [];
const devStatuses: (DevServerStatusParams | undefined)[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function positionAfter(text: string, needle: string): { line: number; character: number } {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} not in the fixture`);
  const upTo = text.slice(0, i + needle.length);
  const line = upTo.split("\n").length - 1;
  return { line, character: upTo.length - (upTo.lastIndexOf("\n") + 1) };
}

async function waitFor<T>(what: string, ms: number, get: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) {
      return v;
    }
    if (Date.now() > deadline) {
      assert.fail(`timed out after ${ms} ms waiting for ${what}; server stderr:\n${stderr}`);
    }
    await new Promise<void>((resolve) => {
      diagnosticWaiters.push(resolve);
      setTimeout(resolve, 100);
    });
  }
}

describe("pyworkers-lsp over vscode-languageserver-protocol", () => {
  before(async () => {
    assert.ok(fs.existsSync(bin), `no server binary at ${bin}: run make build (or set PYWORKERS_BIN)`);
    child = spawn(bin, ["serve", "--stdio"], { cwd: root });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    conn.onRequest(ConfigurationRequest.type, (params) => answerConfiguration(params.items, serverSettings, () => null));
    conn.onRequest(RegistrationRequest.type, () => null);
    conn.onRequest("window/workDoneProgress/create", () => null);
    conn.onRequest("workspace/codeLens/refresh", () => null);
    conn.onRequest("window/showDocument", () => ({ success: true }));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      diagnostics.set(p.uri, p.diagnostics);
      diagnosticWaiters.splice(0).forEach((w) => w());
    });
    conn.onNotification("window/logMessage", () => undefined);
    conn.onNotification("$/progress", () => undefined);
    conn.onNotification("pyworkers/runtimeStatus", () => undefined);
    conn.onNotification("pyworkers/devServerStatus", (p: unknown) => devStatuses.push(parseDevServerStatus(p)));
    conn.listen();
    const rootUri = pathToFileURL(root).href;
    init = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      clientInfo: { name: "vscode-languageserver-protocol test" },
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: "worker" }],
      initializationOptions: initializationOptions(serverSettings),
      capabilities: {
        workspace: {
          configuration: true,
          didChangeWatchedFiles: { dynamicRegistration: true },
          codeLens: { refreshSupport: true },
          workspaceFolders: true,
        },
        window: { workDoneProgress: true, showDocument: { support: true } },
        textDocument: {
          synchronization: { didSave: true },
          publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true },
          completion: { completionItem: { snippetSupport: true } },
          codeLens: {},
        },
      },
    });
    await conn.sendNotification(InitializedNotification.type, {});
    await conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: entryUri, languageId: "python", version: 1, text: entryText },
    });
  });

  after(async () => {
    if (conn) {
      await conn.sendRequest(ShutdownRequest.type).catch(() => undefined);
      await conn.sendNotification(ExitNotification.type).catch(() => undefined);
      conn.dispose();
    }
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    }
  });

  it("initializes as pyworkers-lsp with completion on '.'", () => {
    assert.equal(init.serverInfo?.name, "pyworkers-lsp");
    assert.ok(init.capabilities.completionProvider?.triggerCharacters?.includes("."), JSON.stringify(init.capabilities.completionProvider));
  });

  it("completes the fixture's bindings after self.env.", async () => {
    const res = await conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri: entryUri },
      position: positionAfter(entryText, "self.env."),
      context: { triggerKind: 2, triggerCharacter: "." },
    });
    const items: CompletionItem[] = Array.isArray(res) ? res : ((res as CompletionList | null)?.items ?? []);
    const labels = items.map((i) => i.label).sort();
    for (const want of ["API_HOST", "CACHE", "DB"]) {
      assert.ok(labels.includes(want), `no ${want} in ${labels.join(" ")}`);
    }
  });

  it("publishes PWxxx diagnostics for the pitfalls", async () => {
    const codes = await waitFor("PW008 and PW009 on src/entry.py", 15000, () => {
      const got = (diagnostics.get(entryUri) ?? []).map((d) => String(d.code));
      return got.includes("PW008") && got.includes("PW009") ? got : undefined;
    });
    assert.ok(codes.every((c) => /^PW\d{3}$/.test(c)), codes.join(" "));
    const pw008 = diagnostics.get(entryUri)?.find((d) => d.code === "PW008");
    assert.equal(pw008?.range.start.line, positionAfter(entryText, "from pyodide.ffi import").line);
  });

  // Its own case: fails (does not skip) while the server has no code lenses.
  it("offers a Run code lens on the fetch handler", async () => {
    assert.ok(init.capabilities.codeLensProvider, `the server does not advertise codeLensProvider: ${JSON.stringify(Object.keys(init.capabilities))}`);
    const lenses = (await conn.sendRequest(CodeLensRequest.type, { textDocument: { uri: entryUri } })) ?? [];
    const fetchLine = positionAfter(entryText, "async def fetch").line;
    const run = lenses.find((l) => l.range.start.line <= fetchLine && fetchLine <= l.range.end.line);
    assert.ok(run, `no code lens at line ${fetchLine + 1} (async def fetch): ${JSON.stringify(lenses)}`);
    const resolved = run.command ? run : await conn.sendRequest("codeLens/resolve", run);
    assert.equal((resolved as typeof run).command?.command, runHandlerCommand, JSON.stringify(resolved));
  });

  // The status bar's start/stop: the server serves the Worker over real
  // HTTP and says so with pyworkers/devServerStatus.
  it("starts and stops the dev server for the Worker", async () => {
    const port = await freePort();
    const res = parseDevServerStatus(
      await conn.sendRequest(ExecuteCommandRequest.type, { command: "pyworkers.startDevServer", arguments: [{ uri: entryUri, port }] }),
    );
    assert.equal(res?.url, `http://127.0.0.1:${port}`, stderr);
    // The fixture imports to_py from pyodide.ffi (the PW008 pitfall): the
    // Worker fails at import, a 500 naming the real file, as on Cloudflare.
    const resp = await fetch(`${res.url}/`);
    const text = await resp.text();
    assert.equal(resp.status, 500, text);
    assert.ok(text.includes("to_py") && text.includes(entry), text);
    await waitFor("a running devServerStatus", 5000, () => devStatuses.find((s) => s?.running));
    assert.equal(devStatusView(devStatuses.find((s) => s?.running)!).text, `$(radio-tower) 127.0.0.1:${port}`);
    await conn.sendRequest(ExecuteCommandRequest.type, { command: "pyworkers.stopDevServer", arguments: [] });
    await waitFor("a stopped devServerStatus", 5000, () => (devStatuses.at(-1)?.running === false ? true : undefined));
    await assert.rejects(fetch(`${res.url}/`));
  });
});
