import type { Messages } from '../backend/messages';
import type { compareEn } from './compare.en';

/** The `quant` namespace, section compare (简体中文). */
export const compareZhCN: Messages<typeof compareEn> = {
  title: 'Compare',
};
