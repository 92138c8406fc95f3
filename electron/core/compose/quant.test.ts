import { describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend';
import { optionsFromEnv } from './quant';
import { backendInFlux, untilBackendSettled } from './quant-env';

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

describe('untilBackendSettled', () => {
  it.each([
    ['starting', true],
    ['loading', true],
    ['stopping', true],
    ['ready', false],
    ['stopped', false],
    ['crashed', false],
  ] as const)('%s in flux: %s', (state, want) => {
    expect(backendInFlux(state)).toBe(want);
  });

  it('waits while the backend loads, and gives up when cancelled', async () => {
    const states = ['starting', 'loading', 'ready'];
    const backend = {
      status: () => ({ state: states.length > 1 ? states.shift()! : states[0]! }),
    } as unknown as Backend;
    await untilBackendSettled(backend, new AbortController().signal, 1);
    expect(states).toEqual(['ready']);
    const ac = new AbortController();
    const stuck = { status: () => ({ state: 'loading' }) } as unknown as Backend;
    const p = untilBackendSettled(stuck, ac.signal, 1);
    ac.abort();
    await expect(p).rejects.toThrow();
  });
});
