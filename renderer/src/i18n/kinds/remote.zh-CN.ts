import type { Messages } from '../backend/messages';
import type { remoteEn } from './remote.en';

export const remoteZhCN: Messages<typeof remoteEn> = {
  title: '服务器',
};
