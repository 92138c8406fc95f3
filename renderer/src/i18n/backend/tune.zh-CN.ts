import type { tuneEn } from './tune.en';
import type { Messages } from './messages';

/** Chinese strings of the 'tune' section; same keys and {{placeholders}} as tune.en.ts (checked by backend.test.ts). */
export const tuneZhCN: Messages<typeof tuneEn> = {};
