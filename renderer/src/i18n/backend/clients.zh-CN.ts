import type { clientsEn } from './clients.en';
import type { Messages } from './messages';

/** Chinese strings of the 'clients' section; same keys and {{placeholders}} as clients.en.ts (checked by backend.test.ts). */
export const clientsZhCN: Messages<typeof clientsEn> = {};
