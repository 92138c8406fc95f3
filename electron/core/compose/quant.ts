/**
 * Quantization as contract handlers (issue 14): quant.types/plan/start, quality.start/results/texts and the work
 * queue (work.list/cancel/remove). SCAFFOLD: the handlers are being written; until then each answers UNSUPPORTED.
 */
import type { EventBus, Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { QualityResult, QuantType } from '../../shared/quant';
import type { HardwareInput } from '../../shared/models';
import type { Backend } from '../backends/backend';
import type { Library } from '../models/library';
import type { SettingsStore } from '../settings/store';

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

/** Tests: smaller runs (chunk counts, contexts) and a hook on each tool process. */
export interface QuantOptions {
  /** Quality checks: context size and chunk count instead of the planned ones. */
  qualityContext?: number;
  qualityChunks?: number;
  /** Importance matrix: chunk count instead of the planned one. */
  imatrixChunks?: number;
  /** Each tool process as it starts (tests kill one mid-run). */
  onChild?: (pid: number, kind: 'quantize' | 'imatrix' | 'quality') => void;
}

export interface QuantDeps {
  dataDir: string;
  /** Folders holding eval-texts/ (packaged resources first, then the repo's). */
  resourcesDirs: string[];
  bus: EventBus;
  backend: Backend;
  settings: SettingsStore;
  library: Library;
  modelsDir: () => Promise<string>;
  /** The active runtime's llama-server; the tools lie beside it. */
  activeServer: () => Promise<{ found: boolean; path: string }>;
  hardware: () => Promise<HardwareInput>;
  log: (msg: string) => void;
  options?: QuantOptions;
}

export interface QuantFeature {
  handlers: QuantHandlers;
  /** The types llama-quantize offers (cached per binary). */
  types(): Promise<QuantType[]>;
  /** Cached quality results of a model file (by its sha256), all texts. */
  results(modelPath: string): Promise<QualityResult[]>;
  dispose(): Promise<void>;
}

export function createQuant(_d: QuantDeps): QuantFeature {
  const todo = async (): Promise<never> => {
    throw new AppError('UNSUPPORTED', { what: 'quantization (being built)' });
  };
  return {
    handlers: {
      'quant.types': todo,
      'quant.plan': todo,
      'quant.start': todo,
      'quality.start': todo,
      'quality.results': todo,
      'quality.texts': todo,
      'work.list': todo,
      'work.cancel': todo,
      'work.remove': todo,
    },
    types: todo,
    results: todo,
    dispose: async () => undefined,
  };
}
