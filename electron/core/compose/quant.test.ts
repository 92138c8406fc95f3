import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from './quant';

describe('optionsFromEnv', () => {
  it.each([
    ['nothing set', {}, {}, {}],
    [
      'both set',
      { DEEPLOCAL_QUALITY_CONTEXT: '128', DEEPLOCAL_QUALITY_CHUNKS: '4' },
      {},
      { qualityContext: 128, qualityChunks: 4 },
    ],
    ['hostile values ignored', { DEEPLOCAL_QUALITY_CONTEXT: '-1', DEEPLOCAL_QUALITY_CHUNKS: '1e99' }, {}, {}],
    ['not a number', { DEEPLOCAL_QUALITY_CONTEXT: 'abc', DEEPLOCAL_QUALITY_CHUNKS: '2.5' }, {}, {}],
    [
      'the caller wins',
      { DEEPLOCAL_QUALITY_CHUNKS: '4' },
      { qualityChunks: 9, imatrixChunks: 2 },
      { qualityChunks: 9, imatrixChunks: 2 },
    ],
  ])('%s', (_, env, given, want) => {
    expect(optionsFromEnv(env as NodeJS.ProcessEnv, given)).toEqual(want);
  });
});
