/**
 * Quantization as contract handlers (issue 14): quant.types/plan/start, quality.start/results/texts and the work
 * queue (work.list/cancel/remove). The queue (core/quant/work-queue.ts) runs one job at a time and keeps its list
 * in work.json; quant-plan.ts, quant-start.ts and quant-quality.ts do the handlers' work, quant-rules.ts decides.
 */
import path from 'node:path';
import type { Handlers } from '../../shared/contract';
import type { QualityResult, QuantType } from '../../shared/quant';
import { listEvalTexts } from '../quant/quality';
import { bestReference, siblingsOf } from '../quant/siblings';
import { WorkQueue } from '../quant/work-queue';
import { createEnv, type QuantDeps } from './quant-env';
import { planQuant } from './quant-plan';
import { qualityResults, startQuality, type ReferenceOf } from './quant-quality';
import { removeLeftovers, startQuant } from './quant-start';
import { expandHome } from '../util/safe-path';

import type { QuantOptions } from './quant-env';

export type { QuantDeps, QuantOptions } from './quant-env';

export type QuantHandlers = Pick<
  Handlers,
  | 'quant.types'
  | 'quant.plan'
  | 'quant.start'
  | 'quality.start'
  | 'quality.results'
  | 'quality.texts'
  | 'work.list'
  | 'work.cancel'
  | 'work.remove'
>;

export interface QuantFeature {
  handlers: QuantHandlers;
  /** The types llama-quantize offers (cached per binary). */
  types(): Promise<QuantType[]>;
  /** Cached quality results of a model file (by its sha256), all texts. */
  results(modelPath: string): Promise<QualityResult[]>;
  dispose(): Promise<void>;
}

/** A positive whole number from the environment, else undefined. */
function envCount(v: string | undefined): number | undefined {
  const n = Number(v);
  return v && Number.isInteger(n) && n > 0 && n <= 1_000_000 ? n : undefined;
}

/**
 * Smaller quality runs from the environment (DEEPLOCAL_QUALITY_CONTEXT / DEEPLOCAL_QUALITY_CHUNKS: the e2e suite
 * and the bench start the app with them); options given by the caller win.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv, given: QuantOptions = {}): QuantOptions {
  const fromEnv: QuantOptions = {};
  const context = envCount(env.DEEPLOCAL_QUALITY_CONTEXT);
  const chunks = envCount(env.DEEPLOCAL_QUALITY_CHUNKS);
  if (context) fromEnv.qualityContext = context;
  if (chunks) fromEnv.qualityChunks = chunks;
  return { ...fromEnv, ...given };
}

export function createQuant(deps: QuantDeps): QuantFeature {
  const d: QuantDeps = { ...deps, options: optionsFromEnv(process.env, deps.options) };
  const queue = new WorkQueue({
    dataDir: d.dataDir,
    emit: (job) => d.bus.emit('work.progress', job),
    emitRemoved: (id) => d.bus.emit('work.removed', { id }),
    log: d.log,
    restored: (jobs) => removeLeftovers(d, jobs),
  });
  const env = createEnv(d, queue);
  // The KL-divergence base: the best higher-precision sibling in the library (none for a file outside it).
  const referenceOf: ReferenceOf = async (modelPath) => {
    const all = await d.library.list();
    const target = all.find((m) => path.resolve(m.path) === path.resolve(modelPath));
    const best = target ? bestReference(target, siblingsOf(target, all)) : null;
    return best ? { path: best.path, type: best.quantization } : null;
  };
  return {
    handlers: {
      'quant.types': () => env.types(),
      'quant.plan': ({ modelPath }) => planQuant(env, expandHome(modelPath)),
      'quant.start': (req) => startQuant(env, req),
      'quality.start': (req) => startQuality(env, req, referenceOf),
      'quality.results': ({ modelPath }) => qualityResults(env, modelPath),
      'quality.texts': () => listEvalTexts(d.resourcesDirs),
      'work.list': () => queue.list(),
      'work.cancel': ({ id }) => queue.cancel(id),
      'work.remove': ({ id }) => queue.remove(id),
    },
    types: () => env.types(),
    results: (modelPath) => qualityResults(env, modelPath),
    dispose: () => queue.dispose(),
  };
}
