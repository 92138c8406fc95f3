/**
 * The `backend` namespace: the self-healing, self-tuning backend (issue 12). One file pair per section, so each
 * feature keeps its own strings: heal (restarts, the out-of-memory ladder, interrupted replies), tune (benchmark and
 * saved settings), spec (speculative decoding), gpus (several GPUs), clients (parallel slots).
 */
import { clientsEn } from './clients.en';
import { clientsZhCN } from './clients.zh-CN';
import { gpusEn } from './gpus.en';
import { gpusZhCN } from './gpus.zh-CN';
import { healEn } from './heal.en';
import { healZhCN } from './heal.zh-CN';
import { specEn } from './spec.en';
import { specZhCN } from './spec.zh-CN';
import { tuneEn } from './tune.en';
import { tuneZhCN } from './tune.zh-CN';
import type { Messages } from './messages';

export const backendEn = { heal: healEn, tune: tuneEn, spec: specEn, gpus: gpusEn, clients: clientsEn } as const;
export type BackendMessages = typeof backendEn;
export const backendZhCN: Messages<BackendMessages> = {
  heal: healZhCN,
  tune: tuneZhCN,
  spec: specZhCN,
  gpus: gpusZhCN,
  clients: clientsZhCN,
};
