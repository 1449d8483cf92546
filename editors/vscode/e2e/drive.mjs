// Drives a real VS Code (code-server, VS Code 1.139) in Debian's headless
// Chromium with playwright-core, against the installed .vsix.
//
//   node drive.mjs run URL SHOTS    first start on an empty user cache: the
//                                   progress notification, ▶ Run fetch, the
//                                   result document, one notification
//   node drive.mjs fail URL SHOTS   a run that cannot find the runtime: one
//                                   error notification, with "Show log"
//   node drive.mjs edit URL SHOTS   editing editors/testdata/run-worker: the
//                                   PW015 warning in Problems, completion
//                                   after `self.env.`, "Add await" applied
//                                   from the quick fix menu, then a run and
//                                   the key it stored in Worker Bindings,
//                                   deleted there
//
// Prints what it saw; exits 1 (with SHOTS/fail-*.png) when a check fails.
import { chromium } from "playwright-core";

const [mode, url, shots] = process.argv.slice(2);
const t0 = Date.now();
const log = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

function check(ok, what) {
  if (!ok) {
    throw new Error(what);
  }
  log(`ok: ${what}`);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

/** The texts of the visible notification toasts (their message lines only). */
async function toasts() {
  return page.locator(".notification-toast .notification-list-item-message").allTextContents();
}

async function openEntry() {
  await page.keyboard.press("Control+P");
  await page.keyboard.type("entry.py");
  await page.locator(".quick-input-list .monaco-list-row", { hasText: "entry.py" }).first().click({ timeout: 15000 });
  await page.locator(".tab", { hasText: "entry.py" }).first().waitFor({ timeout: 15000 });
  log("opened src/entry.py");
}

/** Goes to line n (1-based), at its end. */
async function gotoLineEnd(n) {
  await page.keyboard.press("Control+G");
  await page.keyboard.type(String(n));
  await page.keyboard.press("Enter");
  // The quick input closes before the editor takes keys again: an Enter
  // sent at once would go nowhere.
  await page.locator(".quick-input-widget").first().waitFor({ state: "hidden", timeout: 5000 });
  await page.waitForTimeout(300);
  await page.keyboard.press("End");
}

async function clickRunFetch() {
  const lens = page.locator(".codelens-decoration a", { hasText: "Run fetch" }).first();
  await lens.waitFor({ timeout: 120000 });
  log(`lens: ${await lens.textContent()}`);
  await lens.click();
}

try {
  await page.goto(url);
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  log("workbench up");
  if (mode === "run") {
    // The server starts with the workspace (its wrangler.jsonc) and, on an
    // empty cache, prepares the runtime with $/progress.
    const progress = page.getByText("Preparing the Python runtime (first start only)").first();
    await progress.waitFor({ timeout: 60000 });
    await page.screenshot({ path: `${shots}/1-preparing.png` });
    log("progress shown: Preparing the Python runtime (first start only)");
    await openEntry();
    await page.screenshot({ path: `${shots}/2-lens.png` });
    await clickRunFetch();
    await page.locator(".tab", { hasText: "fetch.http" }).first().waitFor({ timeout: 180000 });
    await page.locator(".view-lines", { hasText: "HTTP/1.1 200 OK" }).first().waitFor({ timeout: 30000 });
    check(await page.locator(".view-lines", { hasText: "hello world" }).count() > 0, "the result document shows 200 OK and the body");
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${shots}/3-result.png` });
    // The result has its own language, whose grammar colours the status line.
    check((await page.locator(".statusbar-item", { hasText: "Python Workers Result" }).count()) > 0, "the result document's language is Python Workers Result");
    const tokens = await page
      .locator(".view-line", { hasText: "HTTP/1.1 200 OK" })
      .first()
      .locator("span span")
      .evaluateAll((els) => [...new Set(els.map((e) => e.className))]);
    check(tokens.length >= 2, `the status line is highlighted (${tokens.join(" ")})`);
    const shown = (await toasts()).filter((t) => t.includes("pyworkers"));
    log(`notifications: ${JSON.stringify(shown)}`);
    check(shown.length === 1 && /200 OK/.test(shown[0]), "one notification, the run's summary");
    const status = await page.locator(".statusbar-item", { hasText: "Workers" }).first().textContent();
    check(/ready/.test(status ?? ""), `status bar: ${status}`);
  } else if (mode === "fail") {
    await openEntry();
    await clickRunFetch();
    const err = page.locator(".notification-toast", { hasText: "no Python runtime" }).first();
    await err.waitFor({ timeout: 120000 });
    await page.waitForTimeout(3000); // a second or third toast would have come by now
    await page.screenshot({ path: `${shots}/4-failed-run.png` });
    const shown = await toasts();
    log(`notifications: ${JSON.stringify(shown)}`);
    check(shown.length === 1, "one notification for the failed run");
    check(await err.getByRole("button", { name: "Show log" }).count() === 1, 'it offers "Show log"');
  } else if (mode === "edit") {
    await openEntry();
    // Problems (Ctrl+Shift+M) lists the server's PW015.
    await page.keyboard.press("Control+Shift+M");
    const problem = page.locator(".markers-panel .monaco-list-row", { hasText: "is async and not awaited" }).first();
    await problem.waitFor({ timeout: 60000 });
    await page.screenshot({ path: `${shots}/5-problems.png` });
    check((await problem.textContent()).includes("PW015"), "Problems lists PW015 (KVNamespace.put() not awaited)");
    // Completion after `self.env.` on a new line.
    await page.locator(".monaco-editor .view-lines").first().click();
    await gotoLineEnd(6);
    await page.keyboard.press("Enter");
    await page.keyboard.type("x = self.env.", { delay: 30 });
    const suggest = page.locator(".suggest-widget .monaco-list-row");
    await suggest.first().waitFor({ timeout: 30000 });
    await page.waitForTimeout(500);
    const items = (await suggest.allTextContents()).map((t) => t.trim());
    await page.screenshot({ path: `${shots}/6-completion.png` });
    log(`completion: ${JSON.stringify(items)}`);
    check(items.some((t) => t.startsWith("CACHE")) && items.some((t) => t.startsWith("GREETING")), "completion offers CACHE and GREETING");
    await page.keyboard.press("Escape");
    await page.waitForTimeout(300);
    // The typed line (7) goes again: select it from its end to its start, delete it and its newline.
    await gotoLineEnd(7);
    await page.keyboard.press("Shift+Home");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.press("Backspace");
    await page.keyboard.press("Backspace");
    await page.locator(".view-lines", { hasText: 'self.env.CACHE.put("visits", "1")' }).first().waitFor({ timeout: 5000 });
    // The quick fix on the PW015 line: Ctrl+. shows the menu; pick "Add await".
    await gotoLineEnd(6);
    await page.keyboard.press("Home");
    await page.keyboard.press("Control+.");
    const fix = page.locator(".action-widget .monaco-list-row", { hasText: "Add await" }).first();
    await fix.waitFor({ timeout: 30000 });
    await page.screenshot({ path: `${shots}/7-quick-fix.png` });
    await fix.click();
    await page.locator(".view-lines", { hasText: 'await self.env.CACHE.put("visits", "1")' }).first().waitFor({ timeout: 15000 });
    check((await page.locator(".view-lines", { hasText: "x = self.env" }).count()) === 0, "the completion line was removed again");
    log("ok: quick fix Add await applied");
    await page.locator(".markers-panel .monaco-list-row", { hasText: "is async and not awaited" }).first().waitFor({ state: "detached", timeout: 30000 });
    await page.screenshot({ path: `${shots}/8-fixed.png` });
    log("ok: PW015 gone from Problems");
    // Save, run: the Worker Bindings view shows what the run stored.
    await page.keyboard.press("Control+S");
    await clickRunFetch();
    await page.locator(".tab", { hasText: "fetch.http" }).first().waitFor({ timeout: 180000 });
    const header = page.locator(".pane-header", { hasText: "Worker Bindings" }).first();
    await header.waitFor({ timeout: 15000 });
    if ((await header.getAttribute("aria-expanded")) !== "true") {
      await header.click();
    }
    const key = page.locator(".monaco-list-row", { hasText: "visits" }).first();
    await key.waitFor({ timeout: 30000 });
    await page.screenshot({ path: `${shots}/9-bindings.png` });
    const binding = (await page.locator(".monaco-list-row", { hasText: "CACHE" }).first().textContent()) ?? "";
    check(/KV · 1 key/.test(binding), `Worker Bindings: ${binding.trim()}, with the key the run stored`);
    // Delete it from the view: the row's inline button, then the dialog's.
    await key.hover();
    await key.locator('.action-label[aria-label="Delete"]').click();
    await page.locator(".monaco-dialog-box .monaco-button", { hasText: "Delete" }).first().click({ timeout: 15000 });
    await key.waitFor({ state: "detached", timeout: 30000 });
    await page.locator(".monaco-list-row", { hasText: "KV · 0 keys" }).first().waitFor({ timeout: 15000 });
    await page.screenshot({ path: `${shots}/10-deleted.png` });
    log("ok: Delete in Worker Bindings removed the key (CACHE: KV · 0 keys)");
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (e) {
  await page.screenshot({ path: `${shots}/fail-${mode}.png` }).catch(() => {});
  console.error(`FAIL (${mode}): ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
