// Drives a real headless Chromium (Debian's) through the live status page, for
// tests/integration/test_status_page.py:
//   node status_page.mjs STATUS_URL SERVE_URL REQUESTS SCREENSHOT.png
// Opens STATUS_URL, waits for the page's first numbers, sends REQUESTS requests to SERVE_URL
// (Node's own fetch, outside the page), waits (bounded) for the page to show them without being
// reloaded, saves a full-page screenshot, and prints one JSON line with what it saw. Exits 1 with
// the reason on any failure, including a JavaScript error on the page.
import { chromium } from "playwright-core";

const [statusUrl, serveUrl, requestsText, screenshot] = process.argv.slice(2);
const requests = Number(requestsText);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath,
  // Root in a container has no user namespaces for Chromium's sandbox.
  args: ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"],
  timeout: 60_000,
});
const result = {};
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") pageErrors.push(m.text()); });
  let navigations = 0;
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations++; });

  await page.goto(statusUrl, { waitUntil: "load", timeout: 30_000 });
  result.title = await page.title();
  const number = (id) => page.$eval("#" + id, (e) => Number(e.textContent.replace(/,/g, "")));
  // The first fetch has filled the page in.
  await page.waitForFunction(() => /^[0-9,]+$/.test(
      document.getElementById("requests-total").textContent), null, { timeout: 30_000 });
  result.before = await number("requests-total");
  result.state_before = await page.$eval("#state", (e) => e.textContent);

  for (let i = 0; i < requests; i++) {
    const r = await fetch(serveUrl + (serveUrl.includes("?") ? "&" : "?") + "n=" + i);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`request ${i}: status ${r.status}`);
  }
  // The page polls /status.json every second: the count must reach what was sent, in place.
  await page.waitForFunction((want) => Number(document.getElementById("requests-total")
      .textContent.replace(/,/g, "")) >= want, result.before + requests, { timeout: 30_000 });
  // And a rate is shown once two polls have been seen.
  await page.waitForFunction(() => Number(document.getElementById("requests-rate").textContent) >= 0,
      null, { timeout: 30_000 });
  result.after = await number("requests-total");
  result.rate = await page.$eval("#requests-rate", (e) => e.textContent);
  result.bytes_out = await page.$eval("#bytes-out", (e) => e.textContent);
  result.state_after = await page.$eval("#state", (e) => e.textContent);
  result.workers = await page.$$eval("#workers tbody tr", (rows) =>
      rows.map((r) => [...r.cells].map((c) => c.textContent)));
  result.sites = await page.$$eval("#sites tbody tr", (rows) =>
      rows.map((r) => [...r.cells].map((c) => c.textContent)));
  result.navigations = navigations;
  result.errors = pageErrors;
  await page.screenshot({ path: screenshot, fullPage: true });
  result.screenshot = screenshot;
} catch (e) {
  console.error("status page test: " + (e && e.stack ? e.stack : e));
  console.log(JSON.stringify(result));
  await browser.close();
  process.exit(1);
}
await browser.close();
console.log(JSON.stringify(result));
