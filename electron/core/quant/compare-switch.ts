/**
 * backend.switchModel's options (issue 14 §3): the load options the backend runs with now, minus what belongs to the
 * old file, as the explicit options of the new start. Pure; compare-switch.test.ts.
 *
 * What belongs to the old file, and comes back to the user's own settings (settings.loadOptions) for the new one:
 * - the fields its saved profile set (auto-tune measured them on that file; the new file's own profile, if any,
 *   applies at start because those fields are not passed explicitly);
 * - out-of-memory steps the supervision took for it (context, KV cache, GPU layers stepped down);
 * - the GPU split our planner made for it (several GPUs: devices, -ts, GPU layers, MoE layers in RAM), re-planned
 *   for the new file by the start step; a split the user chose stays.
 * A draft model stays; the start's speculative step checks it against the new file, and the caller retries without
 * speculative decoding when that check refuses it (SWITCH_DROPS_SPECULATIVE).
 * What remains is passed only where it differs from the settings, plus the context size always (the open chat
 * continues at the context it runs with, unless that was an out-of-memory step for the old file).
 */
import type { RecoveryStep } from '../../shared/backend-options';
import type { LoadOptions } from '../../shared/schemas';

/** The start step's refusals that mean "this draft / MTP does not suit the new file": retried without it. */
export const SWITCH_DROPS_SPECULATIVE = new Set(['DRAFT_VOCAB_MISMATCH', 'DRAFT_TOO_BIG', 'SPEC_MTP_UNAVAILABLE']);

type Key = keyof LoadOptions;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const STEP_FIELDS: Record<RecoveryStep['what'], Key[]> = {
  context: ['contextSize'],
  'kv-cache': ['cacheTypeK', 'cacheTypeV'],
  'gpu-layers': ['gpuLayers', 'cpuMoeLayers'],
  'cpu-only': ['gpuLayers', 'cpuMoeLayers', 'gpus'],
  'rpc-worker': ['rpcServers'],
};

export function switchOptions(
  run: LoadOptions,
  user: LoadOptions,
  oldProfile: Partial<LoadOptions> | null,
  steps: readonly Pick<RecoveryStep, 'what'>[] = [],
): Partial<LoadOptions> {
  const next: Record<string, unknown> = { ...run };
  const back = (k: Key) => {
    next[k] = user[k];
  };
  for (const k of Object.keys(oldProfile ?? {}) as Key[]) if (k in user) back(k);
  for (const s of steps) for (const k of STEP_FIELDS[s.what] ?? []) back(k);
  const gpus = next.gpus as LoadOptions['gpus'];
  if (gpus.tensorSplit !== null && user.gpus.tensorSplit === null) {
    back('gpus');
    back('gpuLayers');
    back('cpuMoeLayers');
  }
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(next) as Key[]) if (!same(next[k], user[k])) patch[k] = next[k];
  patch.contextSize = next.contextSize;
  return patch as Partial<LoadOptions>;
}

/** The same options without speculative decoding (the new file refused the draft or has no MTP layers). */
export function withoutSpeculative(o: Partial<LoadOptions>, user: LoadOptions): Partial<LoadOptions> {
  return { ...o, speculative: { ...(o.speculative ?? user.speculative), mode: 'off' } };
}
