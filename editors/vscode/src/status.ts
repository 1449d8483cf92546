// Status bar text for the selected environment and the runtime state.
// Pure: no `vscode` import.

export type RuntimeState = "compiling" | "ready" | "error" | "idle" | "starting" | "stopped";

/** The params of the server's pyworkers/runtimeStatus notification. */
export interface RuntimeStatusParams {
  state: "compiling" | "ready" | "error" | "idle";
  message?: string;
}

export interface StatusView {
  text: string;
  tooltip: string;
}

const stateText: Record<RuntimeState, string> = {
  starting: "$(sync~spin) starting…",
  compiling: "$(sync~spin) compiling…",
  ready: "$(check) ready",
  idle: "$(circle-outline) idle",
  error: "$(error) runtime error",
  stopped: "$(debug-stop) stopped",
};

const known = new Set(Object.keys(stateText));

/** parseRuntimeStatus validates a pyworkers/runtimeStatus payload. */
export function parseRuntimeStatus(params: unknown): RuntimeStatusParams | undefined {
  if (typeof params !== "object" || params === null) {
    return undefined;
  }
  const p = params as { state?: unknown; message?: unknown };
  if (typeof p.state !== "string" || !known.has(p.state) || p.state === "starting" || p.state === "stopped") {
    return undefined;
  }
  return { state: p.state as RuntimeStatusParams["state"], message: typeof p.message === "string" ? p.message : undefined };
}

/** statusView renders the status bar item. */
export function statusView(environment: string, state: RuntimeState, message?: string): StatusView {
  const env = environment === "" ? "top level" : `env.${environment}`;
  const lines = [
    `Cloudflare Python Workers — environment: ${env}`,
    `Runtime: ${state}${message ? ` — ${message}` : ""}`,
    "Click to show the server output.",
  ];
  return { text: `$(cloud) ${environment === "" ? "Workers" : environment} · ${stateText[state]}`, tooltip: lines.join("\n") };
}

/** The params of the server's pyworkers/devServerStatus notification. */
export interface DevServerStatusParams {
  running: boolean;
  url?: string;
  worker?: string;
}

/** parseDevServerStatus validates a pyworkers/devServerStatus payload. */
export function parseDevServerStatus(params: unknown): DevServerStatusParams | undefined {
  if (typeof params !== "object" || params === null) {
    return undefined;
  }
  const p = params as { running?: unknown; url?: unknown; worker?: unknown };
  if (typeof p.running !== "boolean") {
    return undefined;
  }
  const url = typeof p.url === "string" && /^https?:\/\//.test(p.url) ? p.url : undefined;
  if (p.running && url === undefined) {
    return undefined;
  }
  return { running: p.running, url, worker: typeof p.worker === "string" ? p.worker : undefined };
}

/** devStatusView renders the dev server's status bar item (click: start or stop). */
export function devStatusView(s: DevServerStatusParams): StatusView {
  if (!s.running || !s.url) {
    return { text: "$(play) dev", tooltip: "Python Workers dev server: stopped. Click to serve the current Worker (pyworkers-lsp dev)." };
  }
  const where = s.url.replace(/^https?:\/\//, "");
  const worker = s.worker ? `\nWorker: ${s.worker}` : "";
  return { text: `$(radio-tower) ${where}`, tooltip: `Python Workers dev server on ${s.url}${worker}\nClick to stop it.` };
}
