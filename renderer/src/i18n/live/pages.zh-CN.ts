import type { Messages } from '../backend/messages';
import type { pagesEn } from './pages.en';

export const pagesZhCN: Messages<typeof pagesEn> = {
  placeholder: '占位',
};
