import { describe, expect, it } from 'vitest';
import { LoadOptions } from '../../shared/schemas';
import { switchOptions, SWITCH_DROPS_SPECULATIVE, withoutSpeculative } from './compare-switch';

const opts = (o: Record<string, unknown> = {}): LoadOptions => LoadOptions.parse(o);

describe('switchOptions', () => {
  const user = opts({ contextSize: 16384, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' });

  it.each<
    [
      string,
      LoadOptions,
      LoadOptions,
      Partial<LoadOptions> | null,
      { what: 'context' | 'kv-cache' | 'gpu-layers' | 'cpu-only' }[],
      Partial<LoadOptions>,
    ]
  >([
    ['running as the settings say: only the context', user, user, null, [], { contextSize: 16384 }],
    [
      'an option that differs from the settings carries over',
      opts({ ...user, parallel: 2 }),
      user,
      null,
      [],
      { contextSize: 16384, parallel: 2 },
    ],
    [
      "the old file's profile fields go back to the settings",
      opts({ ...user, batch: 1024, ubatch: 256, threads: 6, parallel: 2 }),
      user,
      { batch: 1024, ubatch: 256, threads: 6 },
      [],
      { contextSize: 16384, parallel: 2 },
    ],
    [
      "a profile's context goes back too",
      opts({ ...user, contextSize: 4096 }),
      user,
      { contextSize: 4096 },
      [],
      { contextSize: 16384 },
    ],
    [
      'out-of-memory steps for the old file are undone',
      opts({ ...user, contextSize: 8192, cacheTypeK: 'q4_0', cacheTypeV: 'q4_0', gpuLayers: 20 }),
      user,
      null,
      [{ what: 'context' }, { what: 'kv-cache' }, { what: 'gpu-layers' }],
      { contextSize: 16384 },
    ],
    [
      'our GPU split for the old file is dropped (re-planned for the new one)',
      opts({
        ...user,
        gpuLayers: 30,
        cpuMoeLayers: 2,
        gpus: { devices: ['CUDA0', 'CUDA1'], tensorSplit: [20, 10], mainGpu: 0 },
      }),
      user,
      null,
      [],
      { contextSize: 16384 },
    ],
    [
      "the user's own split stays",
      opts({ ...user, gpus: { devices: ['CUDA0', 'CUDA1'], tensorSplit: [3, 1] } }),
      opts({ ...user, gpus: { devices: ['CUDA0', 'CUDA1'], tensorSplit: [3, 1] } }),
      null,
      [],
      { contextSize: 16384 },
    ],
    [
      'a draft model stays (the start step checks it against the new file)',
      opts({ ...user, speculative: { mode: 'draft', draftModel: '/m/draft.gguf' } }),
      user,
      null,
      [],
      {
        contextSize: 16384,
        speculative: opts({ speculative: { mode: 'draft', draftModel: '/m/draft.gguf' } }).speculative,
      },
    ],
  ])('%s', (_why, run, u, profile, steps, expected) => {
    expect(switchOptions(run, u, profile, steps)).toEqual(expected);
  });
});

describe('withoutSpeculative', () => {
  it('turns speculative decoding off, keeping the rest', () => {
    const user = opts({ speculative: { mode: 'draft', draftModel: '/m/d.gguf' } });
    const got = withoutSpeculative({ contextSize: 4096, speculative: user.speculative }, user);
    expect(got.contextSize).toBe(4096);
    expect(got.speculative).toEqual({ ...user.speculative, mode: 'off' });
  });
  it('retries on the refusals that mean the draft does not suit the new file, not on others', () => {
    expect([...SWITCH_DROPS_SPECULATIVE].sort()).toEqual([
      'DRAFT_TOO_BIG',
      'DRAFT_VOCAB_MISMATCH',
      'SPEC_MTP_UNAVAILABLE',
    ]);
    expect(SWITCH_DROPS_SPECULATIVE.has('DRAFT_INVALID')).toBe(false);
  });
});
