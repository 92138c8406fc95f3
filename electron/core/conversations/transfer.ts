/**
 * Export (Markdown to read, our JSON to import again) and import of conversations. An import is validated whole
 * before anything is written; every conversation and message gets a new id, so nothing already there is overwritten.
 * Also accepted: the single-conversation JSON file of earlier versions (<data>/conversations/<id>.json).
 */
import { z } from 'zod';
import { ConversationDetail, type MessageNode } from '../../shared/chat-schemas';
import { AppError } from '../../shared/errors';
import { Conversation } from '../../shared/schemas';
import { legacyToInsert } from './legacy';
import type { ConversationInsert } from './store';
import { pathTo } from './tree';

export const EXPORT_FORMAT = 'deeplocal.conversations';
export const EXPORT_VERSION = 1;

const ExportFile = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.number().int(),
  conversations: z.array(ConversationDetail).max(100_000),
});

export interface ExportedFile {
  fileName: string;
  mimeType: string;
  text: string;
}

const slug = (title: string) =>
  title
    .trim()
    .replace(/[\\/:*?"<>|]+/g, ' ')
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, '-')
    .slice(0, 60) || 'conversation';

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

function fileName(list: readonly ConversationDetail[], ext: string, now: number) {
  return list.length === 1 ? `${slug(list[0]!.title)}.${ext}` : `deeplocal-conversations-${day(now)}.${ext}`;
}

/** A fence longer than any backtick run in `text`, so attached code cannot close it. */
const fenceFor = (text: string) => '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));

function messageMarkdown(m: MessageNode): string {
  const parts = [m.role === 'user' ? '## You' : '## Assistant'];
  if (m.reasoning.trim()) parts.push(`<details>\n<summary>Reasoning</summary>\n\n${m.reasoning.trim()}\n\n</details>`);
  if (m.content) parts.push(m.content.trim());
  for (const a of m.attachments) {
    const fence = fenceFor(a.text);
    parts.push(`<details>\n<summary>Attachment: ${a.name}</summary>\n\n${fence}\n${a.text}\n${fence}\n\n</details>`);
  }
  if (m.error) parts.push(`*(${m.status}: ${m.error.message})*`);
  else if (m.status !== 'done' && m.status !== 'streaming') parts.push(`*(${m.status})*`);
  return parts.join('\n\n');
}

/** The thread on screen of each conversation: title, system prompt, then each message; reasoning folded. */
export function exportMarkdown(list: readonly ConversationDetail[], now = Date.now()): ExportedFile {
  const text = list
    .map((c) => {
      const head = [
        `# ${c.title || 'Untitled'}`,
        `*${new Date(c.createdAt).toISOString()}${c.model ? ` · ${c.model}` : ''}*`,
      ];
      if (c.systemPrompt) head.push(`> **System prompt:** ${c.systemPrompt.replace(/\n/g, '\n> ')}`);
      return [...head, ...pathTo(c.messages, c.leafId).map(messageMarkdown)].join('\n\n');
    })
    .join('\n\n---\n\n');
  return { fileName: fileName(list, 'md', now), mimeType: 'text/markdown', text: `${text}\n` };
}

/** Every node of each conversation (all versions), to import again. */
export function exportJson(list: readonly ConversationDetail[], now = Date.now()): ExportedFile {
  const body = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: now, conversations: list };
  return { fileName: fileName(list, 'json', now), mimeType: 'application/json', text: JSON.stringify(body, null, 1) };
}

const invalid = (reason: string) => new AppError('IMPORT_INVALID', { reason });

/** A tree that holds together: ids unique, every parent present, the leaf present (or none). */
function checkTree(c: ConversationDetail) {
  const ids = new Set<string>();
  for (const m of c.messages) {
    if (ids.has(m.id)) throw invalid(`message ${m.id} appears twice in "${c.title}"`);
    ids.add(m.id);
  }
  for (const m of c.messages)
    if (m.parentId !== null && !ids.has(m.parentId)) throw invalid(`a message of "${c.title}" has no parent`);
  if (c.leafId !== null && !ids.has(c.leafId)) throw invalid(`"${c.title}" ends on a missing message`);
}

function remap(c: ConversationDetail, newId: () => string): ConversationInsert {
  const ids = new Map(c.messages.map((m) => [m.id, newId()]));
  return {
    id: newId(),
    title: c.title,
    titleAuto: c.titleAuto,
    pinned: c.pinned,
    systemPrompt: c.systemPrompt,
    presetId: c.presetId,
    leafId: c.leafId === null ? null : ids.get(c.leafId)!,
    model: c.model,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    // Parents come before their children in the stored order.
    messages: orderParentsFirst(c.messages).map((m) => ({
      ...m,
      id: ids.get(m.id)!,
      parentId: m.parentId === null ? null : ids.get(m.parentId)!,
      status: m.status === 'streaming' ? 'interrupted' : m.status,
    })),
  };
}

function orderParentsFirst(nodes: readonly MessageNode[]): MessageNode[] {
  const placed = new Set<string>();
  const out: MessageNode[] = [];
  let rest = [...nodes];
  while (rest.length) {
    const next = rest.filter((m) => m.parentId === null || placed.has(m.parentId));
    if (next.length === 0) throw invalid('the messages form a loop');
    for (const m of next) placed.add(m.id);
    out.push(...next);
    rest = rest.filter((m) => !placed.has(m.id));
  }
  return out;
}

/** Validates `text` whole and returns what to insert (new ids); IMPORT_INVALID says why a file is refused. */
export function parseImport(text: string, newId: () => string): ConversationInsert[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw invalid(`not JSON, or cut short (${(e as Error).message.slice(0, 100)})`);
  }
  if (raw !== null && typeof raw === 'object' && 'format' in raw) {
    if ((raw as { format: unknown }).format !== EXPORT_FORMAT) throw invalid('its format is not ours');
    const parsed = ExportFile.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'does not match'}`);
    }
    if (parsed.data.version > EXPORT_VERSION)
      throw invalid(`it is version ${parsed.data.version}, newer than this app reads (${EXPORT_VERSION})`);
    for (const c of parsed.data.conversations) checkTree(c);
    return parsed.data.conversations.map((c) => remap(c, newId));
  }
  const legacy = Conversation.safeParse(raw);
  if (legacy.success) return [legacyToInsert(legacy.data, { conversation: newId(), message: newId })];
  throw invalid('no DeepLocal conversations in it');
}
