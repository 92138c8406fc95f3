import type { specEn } from './spec.en';
import type { Messages } from './messages';

/** Chinese strings of the 'spec' section; same keys and {{placeholders}} as spec.en.ts (checked by backend.test.ts). */
export const specZhCN: Messages<typeof specEn> = {};
