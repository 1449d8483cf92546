// The result document a run writes (.pyworkers/results/<kind>.http, made by
// the server's formatRun): "### <request> (<duration>)", a blank line, the
// status line and headers like `curl -i`, a blank line, the body, then
// optional "### error", "### output" and "### warning" sections. Pure: no
// `vscode` import.

export interface RunResultDocument {
  status?: number;
  headers: [string, string][];
  contentType: string;
  body: string;
}

const statusLine = /^HTTP\/1\.1 (\d{3})\b.*$/m;
const sectionAfterBody = /\n\n### (?:error \(|output\n|warning\n)/;

/** parseResult reads a result document; body is "" when it has no response. */
export function parseResult(text: string): RunResultDocument {
  const out: RunResultDocument = { headers: [], contentType: "", body: "" };
  const m = statusLine.exec(text);
  if (!m) {
    return out;
  }
  out.status = Number(m[1]);
  const afterStatus = text.slice(m.index + m[0].length + 1);
  const blank = afterStatus.indexOf("\n\n");
  const headerBlock = blank < 0 ? afterStatus : afterStatus.slice(0, blank);
  for (const line of headerBlock.split("\n")) {
    const colon = line.indexOf(": ");
    if (colon > 0) {
      out.headers.push([line.slice(0, colon), line.slice(colon + 2)]);
      if (line.slice(0, colon).toLowerCase() === "content-type") {
        out.contentType = line.slice(colon + 2);
      }
    }
  }
  if (blank < 0) {
    return out;
  }
  let body = afterStatus.slice(blank + 2);
  const end = ("\n" + body).search(sectionAfterBody);
  if (end >= 0) {
    body = body.slice(0, Math.max(0, end));
  }
  out.body = body.replace(/\n$/, "");
  return out;
}

/** isHTML says whether a content type is an HTML document. */
export function isHTML(contentType: string): boolean {
  return /^\s*(text\/html|application\/xhtml\+xml)\s*(;|$)/i.test(contentType);
}

/**
 * previewHTML is the page a webview shows for an HTML body: the body as
 * sent, with a policy that runs no script and loads nothing but inline
 * styles and data: images (a preview, not a browser).
 */
export function previewHTML(body: string): string {
  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:">`;
  const head = /<head[^>]*>/i.exec(body);
  if (head) {
    return body.slice(0, head.index + head[0].length) + csp + body.slice(head.index + head[0].length);
  }
  return `<!DOCTYPE html><html><head>${csp}</head><body>${body}</body></html>`;
}
