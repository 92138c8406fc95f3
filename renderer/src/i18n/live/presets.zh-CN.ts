import type { Messages } from '../backend/messages';
import type { presetsEn } from './presets.en';

export const presetsZhCN: Messages<typeof presetsEn> = {
  placeholder: '占位',
};
