import type { gpusEn } from './gpus.en';
import type { Messages } from './messages';

/** Chinese strings of the 'gpus' section; same keys and {{placeholders}} as gpus.en.ts (checked by backend.test.ts). */
export const gpusZhCN: Messages<typeof gpusEn> = {};
