// Where the extension finds the pyworkers-lsp binary. Pure: no `vscode`
// import, so node's test runner loads it directly.
import * as path from "node:path";

export type ServerSource = "setting" | "bundled" | "path";

export interface ResolvedServer {
  path: string;
  source: ServerSource;
}

export interface ResolveInput {
  /** The pyworkers.serverPath setting ("" when unset). */
  configured: string;
  /** The extension's install directory (context.extensionPath). */
  extensionPath: string;
  /** process.platform and process.arch. */
  platform: string;
  arch: string;
  /** PATH (process.env.PATH). */
  envPath: string;
  /** The user's home directory, for "~". */
  home: string;
  /** The first workspace folder, for "${workspaceFolder}" and relative paths. */
  workspaceFolder?: string;
  /** Whether path is an executable file. */
  isExecutable: (p: string) => boolean;
}

/** The binary's file name on a platform. */
export function binaryName(platform: string): string {
  return platform === "win32" ? "pyworkers-lsp.exe" : "pyworkers-lsp";
}

/** The targets a platform .vsix bundles its server for (make release). */
export const bundledTargets = ["linux-x64", "linux-arm64", "darwin-arm64", "darwin-x64", "win32-x64"];

/** Where the .vsix carries its server, relative to the extension. */
export function bundledServerPath(extensionPath: string, platform: string): string {
  return path.join(extensionPath, "server", binaryName(platform));
}

/** Expands "~" and "${workspaceFolder}" and makes a relative path absolute. */
export function expandConfiguredPath(configured: string, home: string, workspaceFolder?: string): string {
  let p = configured.trim();
  if (p === "~" || p.startsWith("~/")) {
    p = path.join(home, p.slice(1));
  }
  if (p.includes("${workspaceFolder}")) {
    if (!workspaceFolder) {
      throw new Error(`pyworkers.serverPath uses \${workspaceFolder} but no folder is open: ${configured}`);
    }
    p = p.split("${workspaceFolder}").join(workspaceFolder);
  }
  if (!path.isAbsolute(p) && workspaceFolder) {
    p = path.join(workspaceFolder, p);
  }
  return p;
}

/**
 * resolveServer picks the binary: the pyworkers.serverPath setting; else
 * the binary bundled in the platform's .vsix; else pyworkers-lsp on
 * PATH. A setting that names no executable is an error rather than a silent
 * fallback; undefined means nothing was found.
 */
export function resolveServer(input: ResolveInput): ResolvedServer | undefined {
  if (input.configured.trim() !== "") {
    const p = expandConfiguredPath(input.configured, input.home, input.workspaceFolder);
    if (!input.isExecutable(p)) {
      throw new Error(`pyworkers.serverPath is set to ${p}, which is not an executable file`);
    }
    return { path: p, source: "setting" };
  }
  if (bundledTargets.includes(`${input.platform}-${input.arch}`)) {
    const p = bundledServerPath(input.extensionPath, input.platform);
    if (input.isExecutable(p)) {
      return { path: p, source: "bundled" };
    }
  }
  const sep = input.platform === "win32" ? ";" : ":";
  const name = binaryName(input.platform);
  for (const dir of input.envPath.split(sep)) {
    if (dir === "") {
      continue;
    }
    const p = path.join(dir, name);
    if (input.isExecutable(p)) {
      return { path: p, source: "path" };
    }
  }
  return undefined;
}
