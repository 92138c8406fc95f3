import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureReason, quantizeFailure, quantizeProgress } from './quantize-output';
import { imatrixChunksDone, imatrixTotal } from './imatrix';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const lines = (text: string) => text.split(/\r?\n/);

describe('quantizeProgress', () => {
  it.each([
    [
      '[  12/ 291]                  blk.0.attn_k.weight - [  256,   128,     1,     1], type =    f16, converting to q4_K .. size =     0.06 MiB ->     0.02 MiB',
      { done: 12, total: 291 },
    ],
    [
      '[   1/  39]                    output_norm.weight - [  256,     1,     1,     1], type =    f32, size =    0.001 MiB',
      { done: 1, total: 39 },
    ],
    ['[1/1] x', { done: 1, total: 1 }],
    ['  [  12/ 291] indented is not a progress line', null],
    ['[12/0] zero total', null],
    ['[13/12] more done than total', null],
    ['[abc/12]', null],
    ['llama_model_quantize_impl: model size  =    91.63 MiB (16.00 BPW)', null],
    ['', null],
  ])('%s', (line, want) => expect(quantizeProgress(line)).toEqual(want));

  it('reads every tensor of a real run in order (recorded: small F16 → Q4_K_M)', () => {
    const got = lines(fixture('quantize-q4_k_m.txt'))
      .map(quantizeProgress)
      .filter((p) => p !== null);
    expect(got.length).toBeGreaterThan(10);
    expect(got.map((p) => p.done)).toEqual(got.map((_, i) => i + 1));
    expect(new Set(got.map((p) => p.total))).toEqual(new Set([got.length]));
  });
});

describe('quantizeFailure on recorded outputs', () => {
  it('no imatrix for IQ2_XXS → QUANT_NEEDS_IMATRIX', () => {
    const e = quantizeFailure('IQ2_XXS', lines(fixture('quantize-needs-imatrix.txt')), { code: 1, signal: null });
    expect(e.code).toBe('QUANT_NEEDS_IMATRIX');
    expect(e.params).toEqual({ type: 'IQ2_XXS' });
  });

  it('a Q4_K_M source without --allow-requantize → QUANT_REQUANTIZE naming its tensor type', () => {
    const e = quantizeFailure('Q3_K_S', lines(fixture('quantize-requantize.txt')), { code: 1, signal: null });
    expect(e.code).toBe('QUANT_REQUANTIZE');
    expect(e.params?.type).toBe('Q3_K_S');
    expect(e.params?.from).toBe('Q4_K');
  });

  it('a source that is not GGUF → QUANT_FAILED with the tool’s reason on one line', () => {
    const e = quantizeFailure('Q8_0', lines(fixture('quantize-not-gguf.txt')), { code: 1, signal: null });
    expect(e.code).toBe('QUANT_FAILED');
    const reason = String(e.params?.reason);
    expect(reason).not.toContain('\n');
    expect(reason).toBe("not a usable GGUF model (invalid magic characters: 'this', expected 'GGUF')");
    expect(reason.length).toBeLessThanOrEqual(300);
    expect(e.details).toBeTruthy();
  });
});

describe('failureReason', () => {
  it.each([
    [
      ['llama_model_quantize: failed to quantize: some reason here', 'main: failed to quantize model from x'],
      'some reason here',
    ],
    [["main: invalid ftype 'Q9'"], "invalid ftype 'Q9'"],
    [["main: error: input and output files are the same: '/a'"], "error: input and output files are the same: '/a'"],
    [['random', 'noise'], 'llama-quantize exited with code 3'],
    [[], 'llama-quantize exited with code 3'],
  ])('%j → %s', (tail, want) => expect(failureReason('llama-quantize', tail, { code: 3, signal: null })).toBe(want));

  it('says how it ended when killed', () => {
    expect(failureReason('llama-quantize', ['[ 1/ 9] x'], { code: null, signal: 'SIGKILL' })).toBe(
      'llama-quantize was stopped (SIGKILL)',
    );
  });

  it('clips a huge line', () => {
    const r = failureReason('llama-quantize', [`failed to quantize: ${'x'.repeat(5000)}`], { code: 1, signal: null });
    expect(r.length).toBe(298);
  });

  it('llama-imatrix on a too short text', () => {
    const tail = [
      'compute_imatrix: you need at least 1024 tokens for a context of 512 tokens',
      'compute_imatrix: the data file you provided tokenizes to only 37 tokens',
    ];
    expect(failureReason('llama-imatrix', tail, { code: 1, signal: null })).toBe(
      'you need at least 1024 tokens for a context of 512 tokens',
    );
  });
});

describe('recorded llama-imatrix and mismatch outputs', () => {
  it('a text too short (real output) → the tool’s reason without its log prefix', () => {
    expect(failureReason('llama-imatrix', lines(fixture('imatrix-short-text.txt')), { code: 1, signal: null })).toBe(
      'you need at least 256 tokens for a context of 128 tokens',
    );
  });

  it('the chunk count and per-chunk progress of a real run (small, 2 chunks)', () => {
    const total = lines(fixture('imatrix-small-stderr.txt'))
      .map(imatrixTotal)
      .filter((t) => t !== null);
    expect(total).toEqual([2]);
    expect(imatrixChunksDone(fixture('imatrix-small-stdout.txt'))).toBe(2);
  });

  it('an imatrix of another model → QUANT_FAILED naming the mismatch', () => {
    const e = quantizeFailure('IQ2_XXS', lines(fixture('quantize-imatrix-mismatch.txt')), { code: 1, signal: null });
    expect(e.code).toBe('QUANT_FAILED');
    expect(e.params?.reason).toBe('imatrix size 64 is different from tensor size 256 for blk.0.attn_k.weight');
  });
});

describe('llama-imatrix progress', () => {
  it.each([
    ['compute_imatrix: computing over 4 chunks, n_ctx=128, batch_size=128, n_seq=1', 4],
    ['compute_imatrix: computing over 100 chunks', 100],
    ['computing over many chunks', null],
  ])('%s', (line, want) => expect(imatrixTotal(line)).toBe(want));

  it.each([
    ['[1]38.5021,', 1],
    ['[1]38.5021,[2]40.1234,[3]nan,', 3],
    ['[1]38.5021,[2', 1],
    ['load_tensors: [4] something', null],
    ['', null],
  ])('%s', (text, want) => expect(imatrixChunksDone(text)).toBe(want));
});
