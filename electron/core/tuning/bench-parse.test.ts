/**
 * llama-bench JSON → figures, on output captured from the pinned llama-bench (fixtures/llama-bench-tiny-cpu.json:
 * `-m tiny-s1.gguf -o json -p 32 -n 16 -r 2 -t 1 -ngl 0 -b 512 -ub 128 -fa 0`, CPU build) and on the ways a run
 * ends early.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchFailureLine, benchFigures, parseBenchJson } from './bench-parse';

const captured = fs.readFileSync(path.join(__dirname, 'fixtures', 'llama-bench-tiny-cpu.json'), 'utf8');

describe('benchFigures', () => {
  it('reads pp and tg from a real run', () => {
    expect(benchFigures(captured)).toEqual({
      ppTps: 19566.557631,
      ppStd: 1512.911444,
      tgTps: 990.624545,
      tgStd: 22.241756,
    });
  });

  it('a run killed after the prompt test keeps the pp figure (the array never closed)', () => {
    const cut = captured.slice(0, captured.indexOf('},') + 1) + ',\n  {\n    "build_commit": "de3';
    expect(parseBenchJson(cut)).toHaveLength(1);
    expect(benchFigures(cut)).toEqual({ ppTps: 19566.557631, ppStd: 1512.911444, tgTps: null, tgStd: null });
  });

  it.each([
    ['context creation failed: "[" alone', '[\n'],
    ['nothing at all', ''],
    ['not JSON', 'error: unknown argument: -fa'],
    ['an object, not an array', '{"avg_ts": 1}'],
  ])('%s → no figures', (_, text) => {
    expect(benchFigures(text)).toEqual({ ppTps: null, tgTps: null, ppStd: null, tgStd: null });
  });

  it('braces inside strings do not confuse the salvage', () => {
    const text = '[\n {"model_type": "a } b {", "n_prompt": 0, "n_gen": 8, "avg_ts": 5, "stddev_ts": 1}, {"n_pr';
    expect(benchFigures(text)).toMatchObject({ tgTps: 5, tgStd: 1 });
  });
});

describe('benchFailureLine', () => {
  it.each([
    [
      "llama_model_loader: loaded meta data\nllama_bench: error: failed to create context with model 'x.gguf'\n",
      "llama_bench: error: failed to create context with model 'x.gguf'",
    ],
    ['ggml.c:123: GGML_ASSERT(a == b) failed\nAborted\n', 'ggml.c:123: GGML_ASSERT(a == b) failed'],
    ['something\nAborted (core dumped)\n', 'Aborted (core dumped)'],
    ['line one\nlast words\n\n', 'last words'],
    ['', ''],
  ])('%j', (stderr, want) => {
    expect(benchFailureLine(stderr)).toBe(want);
  });
});
