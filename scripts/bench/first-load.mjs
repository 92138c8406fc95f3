#!/usr/bin/env node
// First load of the browser UI (issue 13 §7): bytes over the wire and open URL → interactive, cold cache.
//
// The built headless app runs the synthetic model (so the chat page opens with a model ready), and Debian's
// Chromium opens `/?token=…#/chat` in a fresh browser context each run (an empty cache), CPU not throttled.
//   interactive  from page.goto to the chat composer enabled and answering a keystroke (the typed character is in
//                the box), measured from this process, so it includes the page's own requests and start-up work
//   bytes        sum of the encoded (as sent: brotli/gzip) body sizes of the document and every resource it loaded
//                until load and network idle (Resource Timing encodedBodySize; transferSize adds the headers)
// Prints the median of the runs against the targets (issue 13: ≤ 400 KB, ≤ 1 s) and PASS/FAIL.
//   node scripts/bench/first-load.mjs [--runs N] [--json]
import { parseArgs } from 'node:util';
import { ensureTestModel } from '../make-test-model.mjs';
import { ensureBuilt, launchChromium } from './lib/browser.mjs';
import { median, startApp } from './lib/headless-app.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const TARGET_BYTES = 400 * 1024;
const TARGET_MS = 1000;
/** Code that must not be in the first load (it is fetched when first needed). */
const LAZY = ['katex-plugin', 'highlight-plugin', 'MonitorPage', 'KaTeX_'];

await ensureBuilt();
const model = await ensureTestModel({ preset: 'tiny' });
const app = await startApp(model);
const browser = await launchChromium();

/** One cold load: a new context has an empty HTTP cache. */
async function run() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  const encodings = new Map();
  page.on('response', (r) => encodings.set(r.url(), r.headers()['content-encoding'] ?? 'identity'));
  const t0 = performance.now();
  await page.goto(`${app.base}/?token=${app.token}#/chat`, { waitUntil: 'commit' });
  const input = page.locator('[data-testid="chat-input"]:not([disabled])');
  await input.waitFor({ timeout: 30_000 });
  await input.press('x');
  await page.waitForFunction(() => document.querySelector('[data-testid="chat-input"]')?.value.includes('x'), null, {
    polling: 'raf',
  });
  const interactiveMs = performance.now() - t0;
  await page.waitForLoadState('load');
  await page.waitForLoadState('networkidle');
  const entries = await page.evaluate(() =>
    [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((e) => ({
      url: e.name,
      encoded: e.encodedBodySize,
      decoded: e.decodedBodySize,
      transfer: e.transferSize,
    })),
  );
  await context.close();
  const sum = (k) => entries.reduce((s, e) => s + e[k], 0);
  return {
    interactiveMs,
    bytes: sum('encoded'),
    decodedBytes: sum('decoded'),
    transferBytes: sum('transfer'),
    requests: entries.length,
    files: entries.map((e) => ({
      name: new URL(e.url).pathname.replace(/^.*\//, '') || 'index.html',
      bytes: e.encoded,
      decoded: e.decoded,
      encoding: encodings.get(e.url) ?? '?',
    })),
    problems,
  };
}

try {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await run());
  const ms = median(runs.map((r) => r.interactiveMs));
  const bytes = median(runs.map((r) => r.bytes));
  const last = runs[runs.length - 1];
  const lazyLoaded = [...new Set(runs.flatMap((r) => r.files.map((f) => f.name)))].filter((n) =>
    LAZY.some((l) => n.includes(l)),
  );
  const problems = [...new Set(runs.flatMap((r) => r.problems))];
  const result = {
    runs: RUNS,
    interactiveMs: { median: ms, all: runs.map((r) => Math.round(r.interactiveMs)) },
    bytes: {
      median: bytes,
      decoded: median(runs.map((r) => r.decodedBytes)),
      transfer: median(runs.map((r) => r.transferBytes)),
    },
    requests: last.requests,
    files: last.files.sort((a, b) => b.bytes - a.bytes),
    lazyLoaded,
    problems,
    target: { bytes: TARGET_BYTES, interactiveMs: TARGET_MS },
    pass: ms <= TARGET_MS && bytes <= TARGET_BYTES && lazyLoaded.length === 0,
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`First load, cold cache, ${RUNS} runs, Chromium, CPU not throttled`);
    console.log(`  ${'file'.padEnd(44)} ${'sent'.padStart(10)} ${'size'.padStart(10)}  encoding`);
    for (const f of result.files.slice(0, 12))
      console.log(`  ${f.name.padEnd(44)} ${kb(f.bytes).padStart(10)} ${kb(f.decoded).padStart(10)}  ${f.encoding}`);
    if (result.files.length > 12) console.log(`  … ${result.files.length - 12} more`);
    console.log(
      `bytes over the wire (bodies): ${kb(bytes)} in ${result.requests} requests (${kb(result.bytes.decoded)} decoded, ${kb(result.bytes.transfer)} with headers)`,
    );
    console.log(`open URL → interactive: median ${ms.toFixed(0)} ms (runs: ${result.interactiveMs.all.join(', ')} ms)`);
    if (lazyLoaded.length) console.log(`loaded at first but should wait until needed: ${lazyLoaded.join(', ')}`);
    if (problems.length) console.log(`console: ${problems.slice(0, 5).join(' | ')}`);
    console.log(
      `target: ≤ ${kb(TARGET_BYTES)} and ≤ ${TARGET_MS} ms → ${result.pass ? 'PASS' : 'FAIL'} (bytes ${bytes <= TARGET_BYTES ? 'PASS' : 'FAIL'}, interactive ${ms <= TARGET_MS ? 'PASS' : 'FAIL'})`,
    );
  }
  if (!result.pass) process.exitCode = 1;
} finally {
  await browser.close();
  await app.stop();
}
