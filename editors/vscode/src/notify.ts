// One notification per failure. The server reports a failed run with
// window/showMessage and also fails the request; the language client would
// add its own "Request … failed" toast. The extension turns the client's off
// (revealOutputChannelOn: Never) and sends both through a Notifier, which
// shows a message once (the same text within a few seconds is one event)
// and gives errors a "Show log" action. Pure: no `vscode` import.

export type Level = "error" | "warning" | "info";

export type Show = (level: Level, message: string, actions: string[]) => Promise<string | undefined>;

export const showLogAction = "Show log";

export class Notifier {
  private recent = new Map<string, number>();

  constructor(
    private readonly show: Show,
    private readonly showLog: () => void,
    private readonly now: () => number = Date.now,
    private readonly windowMs = 5000,
  ) {}

  /** Shows message unless the same text was shown within the window. */
  notify(level: Level, message: string): boolean {
    const text = message.trim();
    const t = this.now();
    for (const [m, at] of this.recent) {
      if (t - at > this.windowMs) {
        this.recent.delete(m);
      }
    }
    if (this.recent.has(text)) {
      return false;
    }
    this.recent.set(text, t);
    const actions = level === "error" ? [showLogAction] : [];
    void this.show(level, text, actions).then((pick) => {
      if (pick === showLogAction) {
        this.showLog();
      }
    });
    return true;
  }
}

/** The LSP MessageType (1 error, 2 warning, 3 info, 4 log) as a Level. */
export function levelOf(type: number): Level {
  return type === 1 ? "error" : type === 2 ? "warning" : "info";
}

/**
 * A server message as a notification shows it: the server writes no name
 * (Neovim and Helix put the server's name before its messages themselves),
 * so the toast says where it comes from.
 */
export function prefixed(m: string): string {
  return m.startsWith("pyworkers: ") ? m : `pyworkers: ${m}`;
}

/** The text of a failed request's error, as the server wrote it. */
export function errorText(e: unknown): string {
  return prefixed(e instanceof Error ? e.message : String(e));
}
