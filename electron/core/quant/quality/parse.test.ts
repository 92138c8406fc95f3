import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  failureLine,
  fatalLine,
  parseChunkTotal,
  parseKld,
  parseKldProgress,
  parsePplFinal,
  parsePplProgress,
  toFinite,
} from './parse';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('toFinite', () => {
  it.each([
    ['12.5', 12.5],
    ['-0.000001', -0.000001],
    ['1e-3', 0.001],
    ['.5', 0.5],
    ['nan', null],
    ['-nan', null],
    ['inf', null],
    ['-inf', null],
    ['1e999', null],
    ['12.5x', null],
    ['', null],
    [undefined, null],
  ])('%j → %j', (s, want) => {
    expect(toFinite(s)).toBe(want);
  });
});

describe('parsePplFinal', () => {
  it.each([
    ['Final estimate: PPL = 11.2345 +/- 0.12345', { ppl: 11.2345, stdErr: 0.12345 }],
    ['perplexity: …\nFinal estimate: PPL = 151936.1 +/- 2000.5\n', { ppl: 151936.1, stdErr: 2000.5 }],
    // Hostile: not finite, not positive, truncated, absent.
    ['Final estimate: PPL = nan +/- nan', null],
    ['Final estimate: PPL = inf +/- 0.1', null],
    ['Final estimate: PPL = 0.0000 +/- 0.1', null],
    ['Final estimate: PPL = -3 +/- 0.1', null],
    ['Final estimate: PPL = 12.3 +/- nan', { ppl: 12.3, stdErr: null }],
    ['Final estimate: PPL = 12.', null],
    ['[1]12.3,[2]11.9,', null],
    ['', null],
  ])('%j', (text, want) => {
    expect(parsePplFinal(text)).toEqual(want);
  });
});

describe('progress', () => {
  it.each([
    ['', 0],
    ['[1]12.3456,', 1],
    ['[1]12.3456,[2]11.0,[3]nan,', 3],
    // The last entry is still being printed: counted once its comma is there.
    ['[1]12.3456,[2]11.0', 1],
    ['[12]5.1,[3]9.0,', 12],
  ])('plain %j → %d', (text, done) => {
    expect(parsePplProgress(text)).toBe(done);
  });

  it.each([
    ['chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence', 0],
    ['   1       12.3456 ±    1.2345       0.00123 ±    0.00045', 1],
    ['   1       12.3456 ±    1.2345\n   2          -nan ±       nan\n', 2],
    ['  10    nan ± nan\n   3    1.0 ± 0.1', 10],
  ])('KL-divergence rows %j → %d', (text, done) => {
    expect(parseKldProgress(text)).toBe(done);
  });

  it.each([
    ['perplexity: calculating perplexity over 64 chunks, n_ctx=512, batch_size=512, n_seq=1', 64],
    ['kl_divergence: computing over 2 chunks, n_ctx=128, batch_size=128, n_seq=1', 2],
    ['perplexity: calculating perplexity over 0 chunks, n_ctx=512', null],
    ['nothing', null],
  ])('chunk total %j → %j', (text, total) => {
    expect(parseChunkTotal(text)).toBe(total);
  });
});

const KLD_OK = `
====== Perplexity statistics ======
Mean PPL(Q)                   : 152012.345678 ± 1234.567890
Mean PPL(base)                : 151999.000000 ± 1230.000000
Cor(ln(PPL(Q)), ln(PPL(base))):  99.99%
Mean ln(PPL(Q)/PPL(base))     :   0.000088 ±   0.000010
Mean PPL(Q)/PPL(base)         :   1.000088 ±   0.000010
Mean PPL(Q)-PPL(base)         :  13.345678 ±   1.500000

====== KL divergence statistics ======
Mean    KLD:   0.000123 ±   0.000004
Maximum KLD:   0.002000

====== Token probability statistics ======
Same top p: 98.413 ± 1.111 %
`;

describe('parseKld', () => {
  it('reads the summary', () => {
    expect(parseKld(KLD_OK)).toEqual({
      pplQ: 152012.345678,
      pplQStdErr: 1234.56789,
      pplBase: 151999,
      pplRatio: 1.000088,
      meanKld: 0.000123,
      meanKldStdErr: 0.000004,
      sameTopPct: 98.413,
    });
  });

  it('identical models print a rounded negative zero KLD: that is 0', () => {
    expect(parseKld(KLD_OK.replace('0.000123 ±', '-0.000000 ±'))?.meanKld).toBe(0);
  });

  it.each([
    ['no summary (fewer than 100 tokens scored)', KLD_OK.slice(0, 0)],
    ['truncated before the KLD block', KLD_OK.slice(0, KLD_OK.indexOf('====== KL'))],
    ['truncated before same-top', KLD_OK.slice(0, KLD_OK.indexOf('Same top'))],
    ['nan KLD', KLD_OK.replace('0.000123 ±', 'nan ±')],
    ['inf PPL(Q)', KLD_OK.replace('152012.345678 ±', 'inf ±')],
    ['negative KLD', KLD_OK.replace('0.000123 ±', '-0.5 ±')],
    ['zero ratio', KLD_OK.replace('1.000088 ±', '0.000000 ±')],
    ['same-top above 100', KLD_OK.replace('98.413 ±', '120.000 ±')],
    ['same-top nan', KLD_OK.replace('98.413 ±', '-nan ±')],
  ])('%s → null', (_, text) => {
    expect(parseKld(text)).toBeNull();
  });

  it('a base PPL that is not a number is null, the rest stands', () => {
    expect(parseKld(KLD_OK.replace('151999.000000 ±', 'nan ±'))).toMatchObject({ pplBase: null, meanKld: 0.000123 });
  });
});

describe('failureLine and fatalLine', () => {
  it.each([
    ['main: error: unable to load model', 'main: error: unable to load model'],
    [
      'load\nperplexity: you need at least 1024 tokens to evaluate perplexity with a context of 512\nperplexity: the data file you provided tokenizes to only 10 tokens\n',
      'perplexity: the data file you provided tokenizes to only 10 tokens',
    ],
    ['all fine\nFinal estimate: PPL = 3 +/- 0.1', null],
    ['x'.repeat(500) + ' failed', `${'x'.repeat(300)}…`],
  ])('%j → %j', (text, want) => {
    expect(failureLine(text)).toBe(want);
  });

  it.each([
    [
      'kl_divergence: inconsistent vocabulary (32000 vs 151936)',
      'kl_divergence: inconsistent vocabulary (32000 vs 151936)',
    ],
    [
      'kl_divergence: /d/b.kld has been computed with 512, while the current context is 128. Increase it with -c and retry',
      'kl_divergence: /d/b.kld has been computed with 512, while the current context is 128. Increase it with -c and retry',
    ],
    ['Final estimate: PPL = 3 +/- 0.1', null],
  ])('fatal %j', (text, want) => {
    expect(fatalLine(text)).toBe(want);
  });
});

describe('recorded llama-perplexity output (fixtures/, the pinned build on the synthetic test models)', () => {
  it('plain perplexity: progress, chunk total and the final estimate', () => {
    const out = fixture('ppl-tiny.stdout.txt');
    const err = fixture('ppl-tiny.stderr.txt');
    expect(parseChunkTotal(err + out)).toBe(2);
    expect(parsePplProgress(out)).toBe(2);
    const final = parsePplFinal(err + out);
    expect(final?.ppl).toBeGreaterThan(1);
    expect(final?.stdErr).toBeGreaterThan(0);
    expect(failureLine(err + out)).toBeNull();
  });

  it('KL-divergence: rows and the summary', () => {
    const out = fixture('kld-q4.stdout.txt');
    const err = fixture('kld-q4.stderr.txt');
    expect(parseChunkTotal(err + out)).toBe(2);
    expect(parseKldProgress(out)).toBe(2);
    const k = parseKld(out + err);
    expect(k).not.toBeNull();
    expect(k!.meanKld).toBeGreaterThan(0);
    expect(k!.sameTopPct).toBeGreaterThan(0);
    expect(fatalLine(err + out)).toBeNull();
  });

  it('KL-divergence over too few tokens prints no summary: no result', () => {
    const text = fixture('kld-too-few.stdout.txt') + fixture('kld-too-few.stderr.txt');
    expect(parseKldProgress(text)).toBe(1);
    expect(parseKld(text)).toBeNull();
  });

  it('a text too short exits 0 without an estimate; the failure line says why', () => {
    const text = fixture('short-text.stderr.txt') + fixture('short-text.stdout.txt');
    expect(parsePplFinal(text)).toBeNull();
    expect(failureLine(text)).toMatch(/tokenizes to only \d+ tokens/);
  });

  it('a base file from another vocabulary: the fatal line', () => {
    const text = fixture('kld-vocab.stderr.txt') + fixture('kld-vocab.stdout.txt');
    expect(fatalLine(text)).toMatch(/inconsistent vocabulary/);
  });
});
