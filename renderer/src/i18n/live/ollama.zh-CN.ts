import type { Messages } from '../backend/messages';
import type { ollamaEn } from './ollama.en';

export const ollamaZhCN: Messages<typeof ollamaEn> = {
  placeholder: '占位',
};
