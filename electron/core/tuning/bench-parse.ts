/**
 * llama-bench `-o json` → the figures of one configuration. Pure. The output is an array with one object per test:
 * the prompt test has n_prompt > 0 and n_gen 0, the generation test the reverse; `avg_ts` / `stddev_ts` are tokens/s
 * over the repetitions. A llama-bench that dies mid-run leaves the array open (`[` and the tests done so far, or `[`
 * alone when it failed to create the context): complete objects are still read.
 */

export interface BenchFigures {
  ppTps: number | null;
  tgTps: number | null;
  ppStd: number | null;
  tgStd: number | null;
}

interface BenchTest {
  n_prompt?: unknown;
  n_gen?: unknown;
  avg_ts?: unknown;
  stddev_ts?: unknown;
}

/** The tests in llama-bench's JSON, tolerating an array cut short. Null when there is no array at all. */
export function parseBenchJson(stdout: string): BenchTest[] | null {
  const start = stdout.indexOf('[');
  if (start < 0) return null;
  const text = stdout.slice(start).trim();
  const whole = tryParse(text);
  if (whole) return whole;
  // Cut after the last complete top-level object and close the array.
  const objects: BenchTest[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let objStart = -1;
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) objStart = i;
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0 && objStart >= 0) {
        const one = tryParse(`[${text.slice(objStart, i + 1)}]`);
        if (one) objects.push(...one);
        objStart = -1;
      }
    }
  }
  return objects;
}

function tryParse(text: string): BenchTest[] | null {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is BenchTest => typeof x === 'object' && x !== null) : null;
  } catch {
    return null;
  }
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The pp and tg figures of one configuration's output; nulls for a test that did not run. */
export function benchFigures(stdout: string): BenchFigures {
  const tests = parseBenchJson(stdout) ?? [];
  const out: BenchFigures = { ppTps: null, tgTps: null, ppStd: null, tgStd: null };
  for (const t of tests) {
    const np = num(t.n_prompt) ?? 0;
    const ng = num(t.n_gen) ?? 0;
    const avg = num(t.avg_ts);
    if (avg === null) continue;
    if (np > 0 && ng === 0) {
      out.ppTps = avg;
      out.ppStd = num(t.stddev_ts);
    } else if (ng > 0 && np === 0) {
      out.tgTps = avg;
      out.tgStd = num(t.stddev_ts);
    }
  }
  return out;
}

/**
 * The line of llama-bench's stderr that says why it failed (`error: failed to create context …`), else the last
 * non-empty line; the raw text is kept as details by the caller.
 */
export function benchFailureLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const last = (re: RegExp) => [...lines].reverse().find((l) => re.test(l));
  // The cause (an assert, an allocation) before the consequence ("Aborted").
  const line = last(/error|failed|GGML_ASSERT|out of memory/i) ?? last(/abort/i) ?? lines.at(-1) ?? '';
  return line.slice(0, 300);
}
