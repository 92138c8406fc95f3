// The client side of the benches that stream chat replies (concurrency, streams, serve-overhead, speculative, ollama):
// the command line, one OpenAI chat stream read as SSE (raw or timed), many at once with the CPU seconds the processes
// under test spent, rounds in alternating order, and the medians per path.
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { median } from './headless-app.mjs';

/**
 * The command line from `defaults` ({ name: default }): a number default makes `--name N` (read as a number), a
 * boolean one a flag, a string one `--name S`. Unknown flags are refused (parseArgs' strict mode).
 */
export function benchArgs(defaults) {
  const options = Object.fromEntries(
    Object.entries(defaults).map(([k, d]) => [
      k,
      typeof d === 'boolean' ? { type: 'boolean', default: d } : { type: 'string', default: String(d) },
    ]),
  );
  const { values } = parseArgs({ options });
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, typeof defaults[k] === 'number' ? Number(v) : v]),
  );
}

/**
 * POSTs `body` (a JSON string) to `${base}/v1/chat/completions` and reads the SSE reply: `onChunk(json)` for each
 * `data:` chunk but the final [DONE]. Resolves, never rejects, to { done, error }: `done` when [DONE] came, `error` a
 * string (the HTTP status, a network error) or null.
 */
export function chatStream(base, key, body, { agent, onChunk }) {
  return new Promise((resolve) => {
    let done = false;
    let buf = '';
    const finish = (error) => resolve({ done, error });
    const req = http.request(
      `${base}/v1/chat/completions`,
      { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return finish(`HTTP ${res.statusCode}`);
        }
        res.setEncoding('utf8');
        res.on('data', (d) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (!line.startsWith('data: ')) continue;
            if (line === 'data: [DONE]') done = true;
            else onChunk(JSON.parse(line.slice(6)));
          }
        });
        res.on('end', () => finish(null));
        res.on('error', (e) => finish(e.message));
      },
    );
    req.setNoDelay(true);
    req.on('error', (e) => finish(e.message));
    req.end(body);
  });
}

/** Whether a streamed chunk carries generated text (content or reasoning): one token. */
export function isTokenChunk(chunk) {
  const delta = chunk.choices?.[0]?.delta;
  return Boolean(delta && (delta.content || delta.reasoning_content));
}

/**
 * One chat stream (chatStream) timed by the client: TTFT from the request to the first token, tokens/s from the first
 * to the last token, and the token count. Throws on an error.
 */
export async function timedChatStream(base, key, body, { agent }) {
  const t0 = performance.now();
  let first = null;
  let last = null;
  let n = 0;
  const { error } = await chatStream(base, key, body, {
    agent,
    onChunk: (chunk) => {
      if (!isTokenChunk(chunk)) return;
      const now = performance.now();
      first ??= now;
      last = now;
      n++;
    },
  });
  if (error) throw new Error(`${base}: ${error}`);
  return { ttft: first - t0, tps: ((n - 1) * 1000) / (last - first), tokens: n };
}

/** Per path of `results` ({ name: [{ tps, ttft, tokens }] }): the median tok/s and TTFT, and the first round's tokens. */
export function streamMedians(results) {
  return Object.fromEntries(
    Object.entries(results).map(([k, rs]) => [
      k,
      { tps: median(rs.map((x) => x.tps)), ttftMs: median(rs.map((x) => x.ttft)), tokens: rs[0].tokens },
    ]),
  );
}

/** CPU seconds (user + system) a process has used so far; NaN where /proc is not there. */
export function cpuSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, in clock ticks (USER_HZ: 100 on Linux).
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * `n` streams at once (`one(i)` each): their results, the wall seconds from the first request to the last end, and
 * the CPU seconds each of `pids` spent meanwhile.
 */
export async function concurrently(n, one, pids) {
  const cpu0 = pids.map(cpuSeconds);
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  const secs = (performance.now() - t0) / 1000;
  return { results, secs, cpu: pids.map((p, i) => cpuSeconds(p) - cpu0[i]) };
}

/**
 * Each of `paths` ({ name: async () => result }) once to warm up (caches, JIT, first allocations), then `rounds`
 * rounds: in the given order on even rounds, reversed on odd ones, so no path always runs on a machine still busy
 * with another. The results per path name.
 */
export async function alternatingRounds(paths, rounds) {
  for (const f of Object.values(paths)) await f();
  const names = Object.keys(paths);
  const results = Object.fromEntries(names.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 === 0 ? names : [...names].reverse()) results[name].push(await paths[name]());
  }
  return results;
}
