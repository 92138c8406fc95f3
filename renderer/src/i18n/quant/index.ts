/**
 * The `quant` namespace: quantization from the GUI (issue 14). One file pair per section: make ("Make a smaller
 * version": types, sizes, fit, importance matrix), jobs (the work queue: progress, ETA, cancel), quality (perplexity
 * and KL-divergence checks), compare (the Quantizations view, the recommendation line, download / make / switch).
 */
import type { Messages } from '../backend/messages';
import { compareEn } from './compare.en';
import { compareZhCN } from './compare.zh-CN';
import { jobsEn } from './jobs.en';
import { jobsZhCN } from './jobs.zh-CN';
import { makeEn } from './make.en';
import { makeZhCN } from './make.zh-CN';
import { qualityEn } from './quality.en';
import { qualityZhCN } from './quality.zh-CN';

export const quantEn = { make: makeEn, jobs: jobsEn, quality: qualityEn, compare: compareEn } as const;
export type QuantMessages = typeof quantEn;
export const quantZhCN: Messages<QuantMessages> = {
  make: makeZhCN,
  jobs: jobsZhCN,
  quality: qualityZhCN,
  compare: compareZhCN,
};
