/**
 * The `live` namespace: a chat you can live in and the API for other programs (issue 13). One file pair per section:
 * thread (messages, composer, context meter), history (list, search, export/import), presets (system prompt and
 * presets), pages (page URLs), render (Markdown, math), ollama (the Ollama-compatible API, just-in-time loading),
 * lan (LAN mode, TLS, API keys, CORS).
 */
import type { Messages } from '../backend/messages';
import { historyEn } from './history.en';
import { historyZhCN } from './history.zh-CN';
import { lanEn } from './lan.en';
import { lanZhCN } from './lan.zh-CN';
import { ollamaEn } from './ollama.en';
import { ollamaZhCN } from './ollama.zh-CN';
import { pagesEn } from './pages.en';
import { pagesZhCN } from './pages.zh-CN';
import { presetsEn } from './presets.en';
import { presetsZhCN } from './presets.zh-CN';
import { renderEn } from './render.en';
import { renderZhCN } from './render.zh-CN';
import { threadEn } from './thread.en';
import { threadZhCN } from './thread.zh-CN';

export const liveEn = {
  thread: threadEn,
  history: historyEn,
  presets: presetsEn,
  pages: pagesEn,
  render: renderEn,
  ollama: ollamaEn,
  lan: lanEn,
} as const;
export type LiveMessages = typeof liveEn;
export const liveZhCN: Messages<LiveMessages> = {
  thread: threadZhCN,
  history: historyZhCN,
  presets: presetsZhCN,
  pages: pagesZhCN,
  render: renderZhCN,
  ollama: ollamaZhCN,
  lan: lanZhCN,
};
