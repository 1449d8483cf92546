// VS Code extension for pyworkers-lsp. It adds to the user's Python
// extension (Pylance, basedpyright, ruff, ...): it never replaces it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  CodeLensRequest,
  CodeLensResolveRequest,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type LSPAny,
  RevealOutputChannelOn,
  type ServerOptions,
  ShowMessageNotification,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import { errorText, levelOf, Notifier, prefixed } from "./notify";
import { isHTML, parseResult, previewHTML } from "./result";
import { tree, type TreeNode, type WorkerState } from "./bindingsTree";

const localStateCommand = "pyworkers.localState";
import { lensAtCursor, resetStateCommand, runLenses, type LensLike } from "./lenses";
import { bundledServerPath, resolveServer } from "./serverPath";
import {
  answerConfiguration,
  didChangeConfigurationParams,
  initializationOptions,
  needsRestart,
  toServerSettings,
} from "./settings";
import { devStatusView, parseDevServerStatus, parseRuntimeStatus, statusView, type DevServerStatusParams, type RuntimeState } from "./status";

const wranglerGlob = "**/wrangler.{json,jsonc,toml}";
const wranglerNames = new Set(["wrangler.json", "wrangler.jsonc", "wrangler.toml"]);

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let statusItem: vscode.StatusBarItem;
let devItem: vscode.StatusBarItem;
let devStatus: DevServerStatusParams = { running: false };
let runtimeState: RuntimeState = "stopped";
let runtimeMessage: string | undefined;
let notifier: Notifier;
let bindingsView: BindingsView | undefined;

// BindingsView is the Worker Bindings tree: pyworkers.localState, read when
// the view is shown, after every command the server runs and on Refresh.
class BindingsView implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(n: TreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      n.label,
      n.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : n.kind === "item"
          ? vscode.TreeItemCollapsibleState.Collapsed
          : vscode.TreeItemCollapsibleState.Expanded,
    );
    item.description = n.description;
    item.tooltip = n.tooltip;
    item.contextValue = n.deletable ? "item.deletable" : n.queryable ? "binding.d1" : n.kind;
    const icons: Record<string, string> = { worker: "folder", binding: "database", item: "symbol-key", more: "ellipsis", error: "warning" };
    item.iconPath = new vscode.ThemeIcon(icons[n.kind] ?? "circle-small");
    return item;
  }

  async getChildren(n?: TreeNode): Promise<TreeNode[]> {
    if (n) {
      return n.children;
    }
    if (!client?.isRunning()) {
      return [{ label: "the server is not running", kind: "more", children: [] }];
    }
    try {
      const answer = (await client.sendRequest(ExecuteCommandRequest.type, { command: localStateCommand, arguments: [] })) as
        | { workers: WorkerState[] }
        | undefined;
      return tree(answer?.workers ?? []);
    } catch (e) {
      return [{ label: "could not read the local state", description: errorText(e), kind: "error", children: [] }];
    }
  }
}

function settings() {
  const cfg = vscode.workspace.getConfiguration("pyworkers");
  return toServerSettings((key) => cfg.get(key));
}

function renderStatus(): void {
  const view = statusView(settings().environment, runtimeState, runtimeMessage);
  statusItem.text = view.text;
  statusItem.tooltip = view.tooltip;
  statusItem.show();
}

function renderDev(): void {
  const view = devStatusView(devStatus);
  devItem.text = view.text;
  devItem.tooltip = view.tooltip;
  devItem.show();
}

/** The file the Worker commands act on: the active editor's, else the first wrangler config. */
async function workerUri(): Promise<string | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.uri.scheme === "file") {
    return doc.uri.toString();
  }
  const [cfg] = await vscode.workspace.findFiles(wranglerGlob, "**/node_modules/**", 1);
  return cfg?.toString();
}

async function toggleDevServer(): Promise<void> {
  const c = requireClient();
  if (!c) {
    return;
  }
  if (devStatus.running) {
    await c.sendRequest(ExecuteCommandRequest.type, { command: "pyworkers.stopDevServer", arguments: [] });
    return;
  }
  const uri = await workerUri();
  if (!uri) {
    void vscode.window.showWarningMessage("Python Workers: open a file of the Worker to serve.");
    return;
  }
  try {
    const res = parseDevServerStatus(await c.sendRequest(ExecuteCommandRequest.type, { command: "pyworkers.startDevServer", arguments: [{ uri }] }));
    if (res?.url) {
      devStatus = res;
      renderDev();
      const pick = await vscode.window.showInformationMessage(`Python Workers dev server on ${res.url}`, "Open in Browser");
      if (pick) {
        void vscode.env.openExternal(vscode.Uri.parse(res.url));
      }
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`Python Workers: ${String(e)}`);
  }
}

async function applyMigrations(): Promise<void> {
  const c = requireClient();
  const uri = await workerUri();
  if (!c || !uri) {
    return;
  }
  const database = await vscode.window.showInputBox({ prompt: "D1 database (binding or database_name); empty: the Worker's only one" });
  if (database === undefined) {
    return;
  }
  try {
    await c.sendRequest(ExecuteCommandRequest.type, { command: "pyworkers.applyD1Migrations", arguments: [{ uri, database }] });
  } catch (e) {
    output.error(`applying D1 migrations: ${String(e)}`);
  }
}

function setRuntime(state: RuntimeState, message?: string): void {
  runtimeState = state;
  runtimeMessage = message;
  renderStatus();
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function serverOptions(context: vscode.ExtensionContext): ServerOptions | undefined {
  // An unzip that dropped the mode bits leaves the bundled server
  // non-executable; restore them.
  const bundled = bundledServerPath(context.extensionPath, process.platform);
  try {
    if (fs.existsSync(bundled) && !isExecutable(bundled)) {
      fs.chmodSync(bundled, 0o755);
    }
  } catch {
    // resolveServer falls back to PATH.
  }
  let resolved;
  try {
    resolved = resolveServer({
      configured: vscode.workspace.getConfiguration("pyworkers").get<string>("serverPath") ?? "",
      extensionPath: context.extensionPath,
      platform: process.platform,
      arch: process.arch,
      envPath: process.env.PATH ?? "",
      home: os.homedir(),
      workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      isExecutable,
    });
  } catch (e) {
    void vscode.window.showErrorMessage(String(e instanceof Error ? e.message : e));
    return undefined;
  }
  if (!resolved) {
    void vscode.window.showErrorMessage(
      "pyworkers-lsp was not found: set pyworkers.serverPath, or put pyworkers-lsp on PATH (go install, or make build in the pyworkers-lsp repository).",
    );
    return undefined;
  }
  output.info(`server: ${resolved.path} (${resolved.source})`);
  const exe = { command: resolved.path, args: ["serve", "--stdio"], transport: TransportKind.stdio };
  return { run: exe, debug: { ...exe, args: ["serve", "--stdio", "--log-level", "debug"] } };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const server = serverOptions(context);
  if (!server) {
    setRuntime("stopped", "server not found");
    return;
  }
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "file", pattern: "**/wrangler.{json,jsonc,toml}" },
      { scheme: "file", pattern: "**/pyproject.toml" },
      // D1 migration files: the "Apply D1 migrations" lens.
      { scheme: "file", pattern: "**/*.sql" },
    ],
    outputChannel: output,
    // Failed requests are logged, not toasted: the server's own message
    // about the failure is the one notification (see notify.ts).
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: initializationOptions(settings()),
    middleware: {
      // A lens or command that fails shows one error (with Show log), the
      // same one the server's showMessage would: the notifier merges them.
      executeCommand: async (command, args, next) => {
        try {
          const result = await next(command, args);
          bindingsView?.refresh();
          return result;
        } catch (e) {
          notifier.notify("error", errorText(e));
          return undefined;
        }
      },
      workspace: {
        // The server pulls the "pyworkers" section; answer with its own
        // names (runtime.timeoutSeconds -> runTimeoutSeconds, ...).
        configuration: async (params, token, next) => {
          const fallback = await next(params, token);
          const answers = Array.isArray(fallback) ? fallback : [];
          return answerConfiguration(params.items, settings(), (i) => answers[i] ?? null);
        },
      },
    },
  };
  client = new LanguageClient("pyworkers", "pyworkers-lsp", server, clientOptions);
  client.onDidChangeState((e) => {
    if (e.newState === State.Starting) {
      setRuntime("starting");
    } else if (e.newState === State.Stopped) {
      setRuntime("stopped");
    } else if (runtimeState === "starting") {
      setRuntime("idle");
    }
  });
  setRuntime("starting");
  try {
    await client.start();
  } catch (e) {
    setRuntime("error", String(e));
    output.error(`pyworkers-lsp failed to start: ${String(e)}`);
    return;
  }
  // Replaces the client's default handler, which toasts every message as is.
  client.onNotification(ShowMessageNotification.type, (p) => {
    notifier.notify(levelOf(p.type), prefixed(p.message));
  });
  client.onNotification("pyworkers/devServerStatus", (params: unknown) => {
    const p = parseDevServerStatus(params);
    if (p) {
      devStatus = p;
      renderDev();
    }
  });
  client.onNotification("pyworkers/runtimeStatus", (params: unknown) => {
    const p = parseRuntimeStatus(params);
    if (p) {
      setRuntime(p.state, p.message);
    }
  });
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  devStatus = { running: false }; // the server's dev server ends with it
  if (devItem) {
    renderDev();
  }
  if (c) {
    await c.stop().catch(() => undefined);
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

function requireClient(): LanguageClient | undefined {
  if (!client || !client.isRunning()) {
    void vscode.window.showWarningMessage("pyworkers-lsp is not running.");
    return undefined;
  }
  return client;
}

async function runHandlerAtCursor(): Promise<void> {
  const c = requireClient();
  const editor = vscode.window.activeTextEditor;
  if (!c || !editor) {
    return;
  }
  const uri = c.code2ProtocolConverter.asUri(editor.document.uri);
  const lenses = (await c.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  const resolved: LensLike[] = [];
  for (const lens of lenses) {
    if (lens.command || !c.initializeResult?.capabilities.codeLensProvider?.resolveProvider) {
      resolved.push(lens);
    } else {
      resolved.push(await c.sendRequest(CodeLensResolveRequest.type, lens));
    }
  }
  const runs = runLenses(resolved);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage("No handler to run in this file.");
    return;
  }
  let lens = lensAtCursor(runs, editor.selection.active.line);
  if (!lens) {
    const pick = await vscode.window.showQuickPick(
      runs.map((l) => ({ label: l.command?.title ?? "Run", description: `line ${l.range.start.line + 1}`, lens: l })),
      { placeHolder: "Run which handler?" },
    );
    lens = pick?.lens;
  }
  if (!lens?.command) {
    return;
  }
  try {
    await c.sendRequest(ExecuteCommandRequest.type, {
      command: lens.command.command,
      arguments: lens.command.arguments as LSPAny[] | undefined,
    });
  } catch (e) {
    notifier.notify("error", errorText(e));
  }
}

async function resetLocalState(): Promise<void> {
  const c = requireClient();
  if (!c) {
    return;
  }
  const commands = c.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (!commands.includes(resetStateCommand)) {
    void vscode.window.showWarningMessage("This pyworkers-lsp has no local state to reset (it lacks pyworkers.resetState).");
    return;
  }
  // The server says "local state reset for N Worker(s)" itself.
  await c.sendRequest(ExecuteCommandRequest.type, { command: resetStateCommand, arguments: [] });
  bindingsView?.refresh();
}

// deleteStateItem removes a key, object, message or instance from the
// local state (after asking), then refreshes the view.
async function deleteStateItem(n?: TreeNode): Promise<void> {
  const c = requireClient();
  if (!c || !n?.binding || !n.name) {
    return;
  }
  const pick = await vscode.window.showWarningMessage(`Delete ${n.label} from ${n.binding}'s local state?`, { modal: true }, "Delete");
  if (pick !== "Delete") {
    return;
  }
  try {
    await c.sendRequest(ExecuteCommandRequest.type, { command: "pyworkers.deleteLocalState", arguments: [{ uri: n.config, binding: n.binding, name: n.name }] });
  } catch (e) {
    notifier.notify("error", errorText(e));
  }
  bindingsView?.refresh();
}

// queryD1 asks for SQL and runs it on the D1 binding's local database; the
// server shows the result document.
async function queryD1(n?: TreeNode): Promise<void> {
  const c = requireClient();
  if (!c || !n?.binding) {
    return;
  }
  const sql = await vscode.window.showInputBox({ title: `SQL on ${n.binding} (local)`, prompt: "One or more statements, run in one transaction", placeHolder: "SELECT * FROM sqlite_master" });
  if (!sql) {
    return;
  }
  try {
    await c.sendRequest(ExecuteCommandRequest.type, { command: "pyworkers.d1Query", arguments: [{ uri: n.config, binding: n.binding, sql }] });
  } catch (e) {
    notifier.notify("error", errorText(e));
  }
  bindingsView?.refresh();
}

// previewResultHtml renders the HTML body of the result document in the
// active editor in a webview (no scripts, nothing loaded from the network).
function previewResultHtml(): void {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== "pyworkers-result") {
    void vscode.window.showInformationMessage("Open a run's result document (.pyworkers/results/*.http) first.");
    return;
  }
  const result = parseResult(doc.getText());
  if (!isHTML(result.contentType)) {
    void vscode.window.showInformationMessage(
      result.status === undefined ? "This run has no HTTP response." : `The body is ${result.contentType || "without a content type"}, not HTML.`,
    );
    return;
  }
  const panel = vscode.window.createWebviewPanel("pyworkers.resultHtml", `Body: ${doc.uri.path.split("/").pop()}`, vscode.ViewColumn.Beside, {
    enableScripts: false,
  });
  panel.webview.html = previewHTML(result.body);
}

function isWranglerConfig(doc: vscode.TextDocument): boolean {
  const base = doc.uri.path.split("/").pop() ?? "";
  return doc.uri.scheme === "file" && wranglerNames.has(base);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("pyworkers-lsp", { log: true });
  notifier = new Notifier(
    (level, message, actions) =>
      level === "error"
        ? Promise.resolve(vscode.window.showErrorMessage(message, ...actions))
        : level === "warning"
          ? Promise.resolve(vscode.window.showWarningMessage(message, ...actions))
          : Promise.resolve(vscode.window.showInformationMessage(message, ...actions)),
    () => output.show(true),
  );
  statusItem = vscode.window.createStatusBarItem("pyworkers.status", vscode.StatusBarAlignment.Left, 50);
  statusItem.name = "Python Workers";
  statusItem.command = "pyworkers.showOutput";
  devItem = vscode.window.createStatusBarItem("pyworkers.devServer", vscode.StatusBarAlignment.Left, 49);
  devItem.name = "Python Workers dev server";
  devItem.command = "pyworkers.toggleDevServer";
  context.subscriptions.push(
    output,
    statusItem,
    devItem,
    vscode.commands.registerCommand("pyworkers.toggleDevServer", toggleDevServer),
    vscode.commands.registerCommand("pyworkers.applyMigrations", applyMigrations),
    vscode.commands.registerCommand("pyworkers.restartServer", () => restart(context)),
    vscode.commands.registerCommand("pyworkers.runHandlerAtCursor", runHandlerAtCursor),
    vscode.commands.registerCommand("pyworkers.resetLocalState", resetLocalState),
    vscode.commands.registerCommand("pyworkers.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("pyworkers.previewResultHtml", previewResultHtml),
    vscode.window.registerTreeDataProvider("pyworkers.bindings", (bindingsView = new BindingsView())),
    vscode.commands.registerCommand("pyworkers.refreshBindings", () => bindingsView?.refresh()),
    vscode.commands.registerCommand("pyworkers.deleteStateItem", deleteStateItem),
    vscode.commands.registerCommand("pyworkers.queryD1", queryD1),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration("pyworkers")) {
        return;
      }
      renderStatus();
      if (needsRestart((s) => e.affectsConfiguration(s))) {
        void restart(context);
      } else if (client?.isRunning()) {
        void client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(settings()));
      }
    }),
  );

  // Activated by a JSON/TOML file in a workspace without a wrangler config:
  // wait until a wrangler config itself is opened.
  const inWorker =
    vscode.workspace.textDocuments.some(isWranglerConfig) ||
    (await vscode.workspace.findFiles(wranglerGlob, "**/node_modules/**", 1)).length > 0;
  if (inWorker) {
    await start(context);
    return;
  }
  const waiting = vscode.workspace.onDidOpenTextDocument((doc) => {
    if (!client && isWranglerConfig(doc)) {
      waiting.dispose();
      void start(context);
    }
  });
  context.subscriptions.push(waiting);
}

export function deactivate(): Thenable<void> | undefined {
  return stop();
}
