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
