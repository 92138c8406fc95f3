import type { Messages } from '../backend/messages';
import type { pagesEn } from './pages.en';

export const pagesZhCN: Messages<typeof pagesEn> = {
  documentTitle: '{{page}} · DeepLocal',
  newChat: '新对话',
};
