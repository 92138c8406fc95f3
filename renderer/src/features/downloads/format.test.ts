import { describe, expect, it } from 'vitest';
import type { DownloadJob } from '@shared/models';
import { durationParts, hostOf, percent, requestOf } from './format';

describe('percent', () => {
  it.each([
    [0, 100, 0],
    [50, 100, 50],
    // 99.9 % is not done: the bar only reads 100 when every byte is in.
    [999, 1000, 99],
    [1000, 1000, 100],
    [5, 0, 0],
  ])('%i of %i → %i', (r, t, p) => expect(percent(r, t)).toBe(p));
});

describe('durationParts', () => {
  it.each([
    [0, { unit: 's', s: 0 }],
    [59.4, { unit: 's', s: 59 }],
    [61, { unit: 'm', m: 1, s: 1 }],
    [3599, { unit: 'm', m: 59, s: 59 }],
    [3600 * 2 + 60 * 5 + 30, { unit: 'h', h: 2, m: 5 }],
  ])('%d s', (sec, want) => expect(durationParts(sec)).toEqual(want));
});

it('hostOf keeps the host of a URL and anything else as is', () => {
  expect(hostOf('https://hf-mirror.com/')).toBe('hf-mirror.com');
  expect(hostOf('http://127.0.0.1:8080')).toBe('127.0.0.1:8080');
  expect(hostOf('nonsense')).toBe('nonsense');
});

describe('requestOf', () => {
  const job = (over: object) =>
    ({
      hub: 'huggingface',
      repo: 'o/r',
      revision: 'main',
      catalogId: null,
      quant: null,
      files: [{ path: 'x/m-Q4_K_M.gguf' }],
      targetPath: '/m/x.gguf',
      ...over,
    }) as unknown as DownloadJob;
  it.each([
    ['catalog', { catalogId: 'r1-7b', quant: 'Q4_K_M' }, { catalogId: 'r1-7b', quant: 'Q4_K_M' }],
    ['hf repo', {}, { ref: 'o/r', file: 'x/m-Q4_K_M.gguf' }],
    ['hf revision', { revision: 'v2' }, { ref: 'https://huggingface.co/o/r/tree/v2', file: 'x/m-Q4_K_M.gguf' }],
    [
      'modelscope',
      { hub: 'modelscope', revision: 'master' },
      { ref: 'modelscope.cn/models/o/r', file: 'x/m-Q4_K_M.gguf' },
    ],
  ])('%s', (_n, over, want) => expect(requestOf(job(over))).toEqual(want));
});
