import type { Messages } from '../backend/messages';
import type { threadEn } from './thread.en';

export const threadZhCN: Messages<typeof threadEn> = {
  placeholder: '占位',
};
