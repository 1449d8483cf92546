// The mapping from VS Code settings (pyworkers.*) to the server's
// "pyworkers" section. Pure: no `vscode` import.

/** The server's settings (server/snapshot.go, type Settings). */
export interface ServerSettings {
  environment: string;
  disabledRules: string[];
  runTimeoutSeconds: number;
  memoryLimitMB: number;
  allowNet: boolean;
  packagesURL: string;
}

export const defaults: ServerSettings = {
  environment: "",
  disabledRules: [],
  runTimeoutSeconds: 30,
  memoryLimitMB: 256,
  allowNet: false,
  packagesURL: "",
};

/** Reads one setting under "pyworkers." (WorkspaceConfiguration.get). */
export type Getter = (key: string) => unknown;

function positive(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * toServerSettings maps the extension's settings to the server's section:
 *   pyworkers.environment              -> environment
 *   pyworkers.disabledRules            -> disabledRules (trimmed, upper-cased, deduplicated)
 *   pyworkers.runtime.timeoutSeconds   -> runTimeoutSeconds
 *   pyworkers.runtime.memoryLimitMB    -> memoryLimitMB (whole MB)
 *   pyworkers.runtime.allowNet         -> allowNet
 *   pyworkers.packagesURL              -> packagesURL (trimmed)
 * Ill-typed values fall back to the defaults. pyworkers.serverPath and
 * pyworkers.trace.server are client-side only.
 */
export function toServerSettings(get: Getter): ServerSettings {
  const env = get("environment");
  const packagesURL = get("packagesURL");
  const rules = get("disabledRules");
  const seen = new Set<string>();
  if (Array.isArray(rules)) {
    for (const r of rules) {
      if (typeof r === "string" && r.trim() !== "") {
        seen.add(r.trim().toUpperCase());
      }
    }
  }
  return {
    environment: typeof env === "string" ? env.trim() : defaults.environment,
    disabledRules: [...seen],
    runTimeoutSeconds: positive(get("runtime.timeoutSeconds"), defaults.runTimeoutSeconds),
    memoryLimitMB: Math.round(positive(get("runtime.memoryLimitMB"), defaults.memoryLimitMB)),
    allowNet: get("runtime.allowNet") === true,
    packagesURL: typeof packagesURL === "string" ? packagesURL.trim() : defaults.packagesURL,
  };
}

/** initializationOptions as the server reads them. */
export function initializationOptions(s: ServerSettings): { pyworkers: ServerSettings } {
  return { pyworkers: s };
}

/** The workspace/didChangeConfiguration params pushed on a settings change. */
export function didChangeConfigurationParams(s: ServerSettings): { settings: { pyworkers: ServerSettings } } {
  return { settings: { pyworkers: s } };
}

/**
 * answerConfiguration answers a workspace/configuration request: the mapped
 * settings for the "pyworkers" section (the server's names, not VS Code's),
 * and `fallback` (VS Code's own answer) for any other section.
 */
export function answerConfiguration(
  items: { section?: string }[],
  mapped: ServerSettings,
  fallback: (index: number) => unknown,
): unknown[] {
  return items.map((item, i) => {
    if (item.section === "pyworkers") {
      return mapped;
    }
    if (item.section !== undefined && item.section.startsWith("pyworkers.")) {
      const key = item.section.slice("pyworkers.".length) as keyof ServerSettings;
      return key in mapped ? mapped[key] : null;
    }
    return fallback(i);
  });
}

/** Whether a change to these settings needs a server restart rather than a push. */
export function needsRestart(changed: (section: string) => boolean): boolean {
  return changed("pyworkers.serverPath");
}
