// Choosing the "Run handler" code lens for the command palette. Pure: no
// `vscode` import; ranges are LSP ranges (0-based lines).

export interface LensLike {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  command?: { title: string; command: string; arguments?: unknown[] };
}

/** The server's command behind run lenses. */
export const runHandlerCommand = "pyworkers.runHandler";
/** The server's command that resets local binding state. */
export const resetStateCommand = "pyworkers.resetState";

/** runLenses keeps the lenses that run a handler. */
export function runLenses<T extends LensLike>(lenses: readonly T[]): T[] {
  return lenses.filter((l) => l.command?.command === runHandlerCommand);
}

/**
 * lensAtCursor is the run lens "under" the cursor: one whose range holds the
 * cursor's line (a lens sits on its handler's def line, or spans the
 * handler). The innermost (latest-starting) one wins; undefined when none
 * does, and the command then asks.
 */
export function lensAtCursor<T extends LensLike>(lenses: readonly T[], line: number): T | undefined {
  let best: T | undefined;
  for (const l of runLenses(lenses)) {
    if (l.range.start.line <= line && line <= l.range.end.line) {
      if (best === undefined || l.range.start.line > best.range.start.line) {
        best = l;
      }
    }
  }
  return best;
}
