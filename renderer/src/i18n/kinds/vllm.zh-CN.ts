import type { Messages } from '../backend/messages';
import type { vllmEn } from './vllm.en';

export const vllmZhCN: Messages<typeof vllmEn> = {
  title: 'vLLM',
};
