import type { Messages } from '../backend/messages';
import type { makeEn } from './make.en';

/** The `quant` namespace, section make (简体中文). */
export const makeZhCN: Messages<typeof makeEn> = {
  title: 'Make',
};
