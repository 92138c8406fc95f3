/**
 * Full-text search over titles and message content of conversations that are not deleted.
 *
 * Terms of 3 characters or more go to the trigram FTS5 indexes (any substring, Chinese included, case-insensitive);
 * shorter terms filter those hits with instr(). A query made only of short terms (a 2-character Chinese word, "js")
 * cannot use trigrams: it scans message content with instr(), newest first, bounded to the newest SCAN_BOUND
 * messages so that it stays fast on a large store. Order: title hits first, then messages newest first (at most
 * PER_CONVERSATION hits from one conversation, so one long chat cannot fill the page).
 */
import type { Database } from 'node-sqlite3-wasm';
import type { SearchHit } from '../../shared/chat-schemas';

export const SCAN_BOUND = 50_000;
const PER_CONVERSATION = 2;
const SNIPPET_CHARS = 120;
const BEFORE_HIT = 40;

export interface ParsedQuery {
  /** Terms for the trigram index (≥ 3 characters). */
  long: string[];
  /** Terms too short for trigrams, matched with instr() on ASCII-lowercased text. */
  short: string[];
  all: string[];
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

export function parseQuery(query: string): ParsedQuery {
  const all = [...new Set(query.trim().split(/\s+/).filter(Boolean))].slice(0, 8);
  const long = all.filter((t) => [...t].length >= 3);
  const short = all.filter((t) => [...t].length < 3).map(asciiLower);
  return { long, short, all };
}

/** An FTS5 expression: every term as a quoted phrase (no operator or column syntax from the user gets through). */
export const ftsExpression = (terms: readonly string[]) => terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** About SNIPPET_CHARS characters around the first hit, whitespace folded, hits marked (no HTML). */
export function snippet(text: string, terms: readonly string[]): SearchHit['snippet'] {
  if (terms.length === 0) return [{ text: text.slice(0, SNIPPET_CHARS), hit: false }];
  const re = new RegExp(terms.map(escapeRegExp).join('|'), 'giu');
  const first = re.exec(text);
  const at = first ? first.index : 0;
  let start = Math.max(0, at - BEFORE_HIT);
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (end - start < SNIPPET_CHARS) start = Math.max(0, end - SNIPPET_CHARS);
  // Do not cut a surrogate pair in half.
  if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start] ?? '')) start--;
  if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end] ?? '')) end++;
  const piece = text.slice(start, end).replace(/\s+/g, ' ');
  const out: SearchHit['snippet'] = [];
  const push = (t: string, hit: boolean) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last && last.hit === hit) last.text += t;
    else out.push({ text: t, hit });
  };
  if (start > 0) push('…', false);
  let pos = 0;
  re.lastIndex = 0;
  for (let m = re.exec(piece); m; m = re.exec(piece)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    push(piece.slice(pos, m.index), false);
    push(m[0], true);
    pos = m.index + m[0].length;
  }
  push(piece.slice(pos), false);
  if (end < text.length) push('…', false);
  return out;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  role: 'user' | 'assistant';
  content: string;
  title: string;
  updated_at: number;
}
interface TitleRow {
  id: string;
  title: string;
  updated_at: number;
}

const instrClauses = (column: string, n: number) =>
  Array.from({ length: n }, () => ` AND instr(lower(${column}), ?) > 0`).join('');

function titleHits(db: Database, q: ParsedQuery, limit: number): TitleRow[] {
  if (q.long.length) {
    return db.all(
      `SELECT c.id, c.title, c.updated_at FROM titles_fts t JOIN conversations c ON c.rowid = t.rowid
       WHERE titles_fts MATCH ? AND c.deleted_at IS NULL${instrClauses('c.title', q.short.length)}
       ORDER BY c.updated_at DESC LIMIT ?`,
      [ftsExpression(q.long), ...q.short, limit],
    ) as unknown as TitleRow[];
  }
  return db.all(
    `SELECT id, title, updated_at FROM conversations WHERE deleted_at IS NULL${instrClauses('title', q.short.length)}
     ORDER BY updated_at DESC LIMIT ?`,
    [...q.short, limit],
  ) as unknown as TitleRow[];
}

function messageHits(db: Database, q: ParsedQuery, limit: number): MessageRow[] {
  if (q.long.length) {
    return db.all(
      `SELECT m.id, m.conversation_id, m.role, m.content, c.title, c.updated_at
       FROM messages_fts f JOIN messages m ON m.seq = f.rowid JOIN conversations c ON c.id = m.conversation_id
       WHERE messages_fts MATCH ? AND c.deleted_at IS NULL${instrClauses('m.content', q.short.length)}
       ORDER BY f.rowid DESC LIMIT ?`,
      [ftsExpression(q.long), ...q.short, limit],
    ) as unknown as MessageRow[];
  }
  const top = Number((db.get('SELECT coalesce(max(seq), 0) AS top FROM messages') as { top: number }).top);
  return db.all(
    `SELECT m.id, m.conversation_id, m.role, m.content, c.title, c.updated_at
     FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.seq > ? AND c.deleted_at IS NULL${instrClauses('m.content', q.short.length)}
     ORDER BY m.seq DESC LIMIT ?`,
    [top - SCAN_BOUND, ...q.short, limit],
  ) as unknown as MessageRow[];
}

export function searchConversations(db: Database, query: string, limit: number): SearchHit[] {
  const q = parseQuery(query);
  if (q.all.length === 0) return [];
  const hits: SearchHit[] = titleHits(db, q, limit).map((r) => ({
    conversationId: r.id,
    messageId: null,
    title: r.title,
    role: null,
    snippet: snippet(r.title, q.all),
    updatedAt: r.updated_at,
  }));
  if (hits.length >= limit) return hits.slice(0, limit);
  const perConversation = new Map<string, number>();
  for (const r of messageHits(db, q, (limit - hits.length) * (PER_CONVERSATION + 2))) {
    const n = perConversation.get(r.conversation_id) ?? 0;
    if (n >= PER_CONVERSATION) continue;
    perConversation.set(r.conversation_id, n + 1);
    hits.push({
      conversationId: r.conversation_id,
      messageId: r.id,
      title: r.title,
      role: r.role,
      snippet: snippet(r.content, q.all),
      updatedAt: r.updated_at,
    });
    if (hits.length >= limit) break;
  }
  return hits;
}
