// Drives a real VS Code (code-server, VS Code 1.139) in Debian's headless
// Chromium with playwright-core, against the installed .vsix.
//
//   node drive.mjs run URL SHOTS    first start on an empty user cache: the
//                                   progress notification, ▶ Run fetch, the
//                                   result document, one notification
//   node drive.mjs fail URL SHOTS   a run that cannot find the runtime: one
//                                   error notification, with "Show log"
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
