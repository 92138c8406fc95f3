import type { Messages } from '../backend/messages';
import type { jobsEn } from './jobs.en';

/** The `quant` namespace, section jobs (简体中文). */
export const jobsZhCN: Messages<typeof jobsEn> = {
  title: 'Jobs',
};
