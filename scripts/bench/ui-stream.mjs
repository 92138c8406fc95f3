#!/usr/bin/env node
// Main-thread work per streamed token in the browser UI (issue 13 §4: median ≤ 2 ms), at the tiny model's speed.
//
// The built headless app runs the synthetic model; Debian's Chromium opens the chat page, and each round starts a new
// chat, types a question and presses Enter, as a user would, then waits for the reply to end (its stats appear).
// Chrome's own accounting of the renderer's main thread (CDP Performance.getMetrics TaskDuration; ScriptDuration for
// JavaScript alone) is read at Enter and when the reply has ended; the page's idle cost over as long (measured before
// the rounds) is subtracted, and the rest divided by the reply's tokens (the "N out" of its stats). The same number of
// tokens is also streamed straight from the app's llama-server in the same run (raw), for tokens/s through the UI
// against raw. Console warnings or errors while streaming fail the run.
//   node scripts/bench/ui-stream.mjs [--rounds N] [--tokens N] [--json]
import http from 'node:http';
import { ensureTestModel } from '../make-test-model.mjs';
import { ensureBuilt, launchChromium } from './lib/browser.mjs';
import { median, startApp } from './lib/headless-app.mjs';
import { benchArgs, chatStream, isTokenChunk } from './lib/streaming.mjs';

const args = benchArgs({ rounds: 5, tokens: 1500, json: false });
const ROUNDS = Number(args.rounds);
const TOKENS = Number(args.tokens);
const TARGET_MS = 2;

await ensureBuilt();
const model = await ensureTestModel({ preset: 'tiny' });
const app = await startApp(model, { settings: { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: TOKENS } } });
const browser = await launchChromium();

/** Raw: the same number of tokens straight from llama-server (tokens/s from first to last token). */
async function raw() {
  const agent = new http.Agent({ keepAlive: true });
  let first = 0;
  let last = 0;
  let n = 0;
  const body = JSON.stringify({
    messages: [{ role: 'user', content: 'Write a long story.' }],
    max_tokens: TOKENS,
    temperature: 0.6,
    top_p: 0.95,
    stream: true,
  });
  await chatStream(app.direct.base, app.direct.key, body, {
    agent,
    onChunk: (c) => {
      if (!isTokenChunk(c)) return;
      last = performance.now();
      first ||= last;
      n++;
    },
  });
  agent.destroy();
  return { tokens: n, tps: n > 1 ? (n - 1) / ((last - first) / 1000) : 0 };
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text().slice(0, 200)}`);
  });
  await page.goto(`${app.base}/?token=${app.token}#/chat`);
  const input = page.locator('[data-testid="chat-input"]:not([disabled])');
  await input.waitFor({ timeout: 30_000 });

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const metrics = async () => {
    const m = (await cdp.send('Performance.getMetrics')).metrics;
    const get = (name) => m.find((x) => x.name === name).value;
    return {
      task: get('TaskDuration') * 1000,
      script: get('ScriptDuration') * 1000,
      layout: (get('LayoutDuration') + get('RecalcStyleDuration')) * 1000,
      at: performance.now(),
    };
  };
  // The page's own idle cost (telemetry ticks, timers) per ms, to subtract from each reply's window.
  const i0 = await metrics();
  await page.waitForTimeout(3000);
  const i1 = await metrics();
  const idlePerMs = { task: (i1.task - i0.task) / (i1.at - i0.at), script: (i1.script - i0.script) / (i1.at - i0.at) };

  const rounds = [];
  const raws = [];
  for (let r = 0; r < ROUNDS; r++) {
    raws.push(await raw());
    // A new chat each round: the question and reply stay far from the context limit.
    await page.goto(`${app.base}/?token=${app.token}#/chat`);
    await input.waitFor({ timeout: 30_000 });
    const before = await page.locator('[data-testid="message-assistant"]').count();
    await input.fill(`Round ${r + 1}: write a long story.`);
    const seen = problems.length;
    const m0 = await metrics();
    await input.press('Enter');
    const reply = page.locator('[data-testid="message-assistant"]').nth(before);
    const stats = reply.locator('[data-testid="reply-stats"]');
    await stats.waitFor({ timeout: 300_000 });
    const m1 = await metrics();
    const text = (await stats.textContent()) ?? '';
    const tokens = Number((/([\d,. ]+)\s*out/.exec(text)?.[1] ?? '').replace(/[^\d]/g, ''));
    const ms = m1.at - m0.at;
    const task = m1.task - m0.task;
    const script = m1.script - m0.script;
    const layout = m1.layout - m0.layout;
    rounds.push({
      tokens,
      wallMs: ms,
      tps: tokens / (ms / 1000),
      perToken: Math.max(0, task - idlePerMs.task * ms) / tokens,
      scriptPerToken: Math.max(0, script - idlePerMs.script * ms) / tokens,
      layoutPerToken: layout / tokens,
      rawPerToken: task / tokens,
      warnings: problems.slice(seen),
    });
  }
  const med = (k) => median(rounds.map((x) => x[k]));
  const rawTps = median(raws.map((x) => x.tps));
  const warnings = rounds.flatMap((x) => x.warnings);
  const valid = rounds.every((x) => Number.isFinite(x.tokens) && x.tokens > 0);
  const result = {
    rounds: ROUNDS,
    maxTokens: TOKENS,
    tokensPerReply: med('tokens'),
    mainThreadMsPerToken: { median: med('perToken'), all: rounds.map((x) => +x.perToken.toFixed(3)) },
    scriptMsPerToken: med('scriptPerToken'),
    styleLayoutMsPerToken: med('layoutPerToken'),
    mainThreadMsPerTokenWithIdle: med('rawPerToken'),
    idleMainThreadMsPerSecond: idlePerMs.task * 1000,
    uiTokensPerSecond: med('tps'),
    rawTokensPerSecond: rawTps,
    uiVsRaw: med('tps') / rawTps,
    warnings,
    target: { msPerToken: TARGET_MS },
    pass: valid && warnings.length === 0 && med('perToken') <= TARGET_MS,
  };
  if (args.json) console.log(JSON.stringify(result, null, 2));
  else {
    const f = (n, d = 2) => n.toFixed(d);
    console.log(
      `Streaming through the UI: ${ROUNDS} replies of up to ${TOKENS} tokens (median ${result.tokensPerReply})`,
    );
    console.log(
      `main thread per token: median ${f(result.mainThreadMsPerToken.median, 3)} ms (rounds: ${result.mainThreadMsPerToken.all.join(', ')}), of which JavaScript ${f(result.scriptMsPerToken, 3)} ms, style + layout ${f(result.styleLayoutMsPerToken, 3)} ms; idle page ${f(result.idleMainThreadMsPerSecond, 1)} ms/s subtracted (${f(result.mainThreadMsPerTokenWithIdle, 3)} ms with it)`,
    );
    console.log(
      `tokens/s: UI ${f(result.uiTokensPerSecond, 0)} (Enter → stats shown) vs raw llama-server ${f(rawTps, 0)} → ${(result.uiVsRaw * 100).toFixed(1)} %`,
    );
    if (!valid) console.log('a reply showed no token count in its stats');
    if (warnings.length) console.log(`console while streaming: ${[...new Set(warnings)].slice(0, 5).join(' | ')}`);
    console.log(`target: median ≤ ${TARGET_MS} ms per token, no console warnings → ${result.pass ? 'PASS' : 'FAIL'}`);
  }
  if (!result.pass) process.exitCode = 1;
} finally {
  await browser.close();
  await app.stop();
}
