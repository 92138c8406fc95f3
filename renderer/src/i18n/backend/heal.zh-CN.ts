import type { healEn } from './heal.en';
import type { Messages } from './messages';

/** Chinese strings of the 'heal' section; same keys and {{placeholders}} as heal.en.ts (checked by backend.test.ts). */
export const healZhCN: Messages<typeof healEn> = {};
