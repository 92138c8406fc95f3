/**
 * The per-model comparison of quantizations and the switch to another one (issue 14 §3): quant.compare and
 * backend.switchModel. SCAFFOLD: being written; until then each answers UNSUPPORTED.
 */
import type { Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { BackendStatus, LoadOptions } from '../../shared/schemas';
import type { Backend } from '../backends/backend';
import type { ProfileStore } from '../models/profiles';
import type { ModelsFeature } from './models';
import type { QuantFeature } from './quant';

export type CompareHandlers = Pick<Handlers, 'quant.compare' | 'backend.switchModel'>;

export interface CompareDeps {
  models: ModelsFeature;
  quant: QuantFeature;
  /** Auto-tune's saved profiles (measured generation tok/s). */
  profiles: ProfileStore;
  backend: Backend;
  /** backend.start as the user would call it (start steps, recent models). */
  start: (modelPath: string, options: Partial<LoadOptions>) => Promise<BackendStatus>;
  log: (msg: string) => void;
}

export function createQuantCompare(_d: CompareDeps): { handlers: CompareHandlers } {
  const todo = async (): Promise<never> => {
    throw new AppError('UNSUPPORTED', { what: 'quantization comparison (being built)' });
  };
  return { handlers: { 'quant.compare': todo, 'backend.switchModel': todo } };
}
