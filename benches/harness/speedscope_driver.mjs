// Drives speedscope in headless Chromium (playwright-core) for the comparison harness.
//
// Why a separate Node script: playwright-core is a Node library, and the harness (Python) must
// sample the browser's memory from outside, so this script only measures what the page alone can
// tell: time to first frame and per-step frame latency along the camera path. It prints ONE JSON
// line on stdout and exits; every failure (alert, import error, renderer crash, timeout) is a
// result, not an exception.
//
// Usage: node speedscope_driver.mjs CONFIG_JSON
//   CONFIG_JSON = {"chromium": PATH, "url": URL, "width": W, "height": H, "timeout_s": T,
//                  "path_timeout_s": T2,
//                  "zoom_steps": N, "zoom_factor": F, "pan_steps": M, "pan_px": P}
//
// Time to first frame: from just before navigation until two animation frames after speedscope
// logged the end of its import (console.timeEnd("import")) and showed its view tabs, i.e. after
// the first flame chart frame was rendered. Frame latency: for each wheel step, the time from
// dispatching the wheel event in the page until two animation frames later (speedscope redraws
// on the next frame; the second one starts only after that frame went through the compositor).
// Frames are paced at ~60 Hz as in any browser, so a latency is at least ~17-33 ms; speedscope's
// frames on these files take far longer than that.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const { chromium } = require(cfg.playwright || 'playwright-core');

const out = { tool: 'speedscope', status: 'ok' };
let failure = null;
let failed;
const failedPromise = new Promise((resolve) => { failed = resolve; });
function fail(why) {
  if (!failure) {
    failure = why;
    failed(why);
  }
}

function emit() {
  process.stdout.write(JSON.stringify(out) + '\n');
}

const nextFrames = () =>
  new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

async function main() {
  const browser = await chromium.launch({
    executablePath: cfg.chromium,
    headless: true,
    timeout: 60000,
    args: [
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--use-gl=angle',
      '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist',
      '--disable-gpu-vsync',
      '--disable-frame-rate-limit',
      // Frames stay paced at ~60 Hz, as in a user's browser. `unpaced` lifts that (latencies
      // are then not rounded up to frames), but on profiles of 100 MB and more speedscope's
      // first frame then never arrives, so it is off by default.
      ...(cfg.unpaced ? ['--run-all-compositor-stages-before-draw'] : []),
    ],
  });
  out.browser_version = browser.version();
  try {
    await session(browser);
  } finally {
    await browser.close().catch(() => {});
  }
}

async function session(browser) {
  const page = await browser.newPage({ viewport: { width: cfg.width, height: cfg.height } });
  let t0 = performance.now();
  let imported = false;
  let importedResolve;
  const importedPromise = new Promise((r) => { importedResolve = r; });
  page.on('console', (m) => {
    const t = m.text();
    if (t.startsWith('import:')) {
      out.import_log = t;
      out.imported_s = (performance.now() - t0) / 1000; // navigation -> import done
      imported = true;
      importedResolve();
    } else if (t.includes('Failed to load format') || t.includes('Failed to create WebGL')) {
      fail(t);
    }
  });
  page.on('dialog', (d) => {
    fail(`alert: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('crash', () => fail('renderer crashed (out of memory?)'));
  page.on('pageerror', (e) => { out.page_errors = (out.page_errors || 0) + 1; out.last_page_error = String(e); });

  const deadline = cfg.timeout_s * 1000;
  const timeout = new Promise((r) => setTimeout(() => r('timeout'), deadline));
  t0 = performance.now();
  const loaded = (async () => {
    await page.goto(cfg.url, { waitUntil: 'load', timeout: deadline });
    await importedPromise;
    await page.waitForFunction(
      () => document.title.endsWith('speedscope') && document.body.innerText.includes('Left Heavy'),
      null,
      { timeout: deadline, polling: 'raf' },
    );
    await page.evaluate(nextFrames);
    return 'loaded';
  })();
  loaded.catch(() => {}); // settles after a failure or timeout, when the browser is closed
  const first = await Promise.race([loaded, failedPromise, timeout]);
  if (first !== 'loaded') {
    out.status = first === 'timeout' ? 'timeout' : 'failed';
    out.error = first === 'timeout'
      ? `no first frame within ${cfg.timeout_s} s (imported: ${imported})`
      : failure;
    out.elapsed_s = (performance.now() - t0) / 1000;
    // What the page shows at the deadline, if its main thread answers within 5 s at all.
    out.page_at_deadline = await Promise.race([
      page.evaluate(() => `title ${JSON.stringify(document.title)}; text ${JSON.stringify(
        document.body.innerText.slice(0, 160))}`).catch((e) => `evaluate failed: ${e}`),
      new Promise((r) => setTimeout(() => r('main thread busy (no answer within 5 s)'), 5000)),
    ]);
    return;
  }
  out.first_frame_s = (performance.now() - t0) / 1000;
  out.title = await page.title();

  // The camera path: zoom in, pan right then back, zoom out, all at the viewport's centre.
  await page.mouse.move(cfg.width / 2, cfg.height / 2);
  const lat = [];
  out.frame_latency_ms = lat; // filled as steps finish
  // One wheel step, timed inside the page (no DevTools round trip in the measurement): the
  // event goes to the element under the viewport's centre, as a real wheel event would.
  const step = async (dx, dy, ctrl) => {
    lat.push(await page.evaluate(([dx, dy, ctrl, x, y]) => {
      const el = document.elementFromPoint(x, y);
      const s = performance.now();
      el.dispatchEvent(new WheelEvent('wheel', {
        deltaX: dx, deltaY: dy, deltaMode: 0, ctrlKey: ctrl, clientX: x, clientY: y,
        bubbles: true, cancelable: true,
      }));
      return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() =>
        r(performance.now() - s))));
    }, [dx, dy, ctrl, cfg.width / 2, cfg.height / 2]));
  };
  // With Ctrl, speedscope zooms by 1 + deltaY/40 per event.
  const zoomIn = 40 * (1 / cfg.zoom_factor - 1);
  const zoomOut = 40 * (cfg.zoom_factor - 1);
  const settle = async () => {
    // speedscope locks zoom vs pan until two frames pass without wheel events.
    for (let i = 0; i < 4; i++) await page.evaluate(nextFrames);
  };
  const path = (async () => {
    for (let i = 0; i < cfg.zoom_steps; i++) await step(0, zoomIn, true);
    await settle();
    const half = Math.floor(cfg.pan_steps / 2);
    for (let i = 0; i < half; i++) await step(cfg.pan_px, 0, false);
    for (let i = half; i < cfg.pan_steps; i++) await step(-cfg.pan_px, 0, false);
    await settle();
    for (let i = 0; i < cfg.zoom_steps; i++) await step(0, zoomOut, true);
    return 'done';
  })();
  // The path has its own time budget; a path cut short keeps the first frame and memory, with
  // the steps it did (`path_complete: false`).
  const pathLimit = cfg.path_timeout_s || cfg.timeout_s;
  const pathTimeout = new Promise((r) => setTimeout(() => r('timeout'), pathLimit * 1000));
  path.catch(() => {});
  const walked = await Promise.race([path, failedPromise, pathTimeout]);
  out.path_complete = walked === 'done';
  if (walked === 'timeout') {
    out.path_error = `camera path not done within ${pathLimit} s`;
  } else if (walked !== 'done') {
    out.status = 'failed';
    out.error = failure;
  }
  out.frame_latency_ms = lat.slice();
  const page_stats = await page
    .evaluate(() => ({ js_heap_mb: ((performance.memory || {}).usedJSHeapSize || 0) / 1048576 }))
    .catch(() => ({ js_heap_mb: null }));
  out.js_heap_mb = page_stats.js_heap_mb;
}

try {
  await main();
} catch (e) {
  out.status = 'failed';
  out.error = String(e && e.message ? e.message : e).split('\n')[0];
}
emit();
process.exit(0);
