import type { Messages } from '../backend/messages';
import type { renderEn } from './render.en';

export const renderZhCN: Messages<typeof renderEn> = {
  placeholder: '占位',
};
