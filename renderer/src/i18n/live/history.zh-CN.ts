import type { Messages } from '../backend/messages';
import type { historyEn } from './history.en';

export const historyZhCN: Messages<typeof historyEn> = {
  placeholder: '占位',
};
