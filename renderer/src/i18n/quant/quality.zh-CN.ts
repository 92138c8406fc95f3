import type { Messages } from '../backend/messages';
import type { qualityEn } from './quality.en';

/** The `quant` namespace, section quality (简体中文). */
export const qualityZhCN: Messages<typeof qualityEn> = {
  title: 'Quality',
};
