import type { Messages } from '../backend/messages';
import type { renderEn } from './render.en';

export const renderZhCN: Messages<typeof renderEn> = {
  loadingPage: '加载中…',
  pageFailed: '此页面无法加载。',
  retry: '重试',
};
