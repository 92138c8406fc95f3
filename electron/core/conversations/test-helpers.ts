/** Helpers for the conversation store's tests: a temp data folder, a store on it, message nodes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MessageNode } from '../../shared/chat-schemas';
import { SqliteConversationRepo } from './store';

export const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dl-convdb-'));

export function openStore(dataDir = tmpDir(), logs: string[] = [], onChange?: () => void) {
  return new SqliteConversationRepo({ dataDir, log: (m) => logs.push(m), ...(onChange ? { onChange } : {}) });
}

let counter = 0;
export function node(
  id: string,
  parentId: string | null,
  content = `text of ${id}`,
  extra: Partial<MessageNode> = {},
): MessageNode {
  return {
    id,
    parentId,
    role: extra.role ?? (parentId === null || counter++ % 2 === 1 ? 'user' : 'assistant'),
    content,
    reasoning: '',
    attachments: [],
    createdAt: Date.now(),
    status: 'done',
    finishReason: null,
    timings: null,
    error: null,
    reasoningMs: null,
    model: null,
    ...extra,
  };
}
