import type { Messages } from '../backend/messages';
import type { lanEn } from './lan.en';

export const lanZhCN: Messages<typeof lanEn> = {
  placeholder: '占位',
};
