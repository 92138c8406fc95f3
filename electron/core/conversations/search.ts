/**
 * Full-text search over titles and message content of conversations that are not deleted.
 *
 * Terms of 3 characters or more go to the trigram FTS5 indexes (any substring, Chinese included, case-insensitive);
 * shorter terms filter those hits with instr(). A query made only of short terms (a 2-character Chinese word, "js")
 * cannot use trigrams: it scans message content newest first, bounded to the newest SCAN_BOUND messages and to
 * SCAN_BUDGET_MS, so that it stays fast on a large store (what it returns then: the newest hits it found). Order: title hits first, then messages newest first (at most
 * PER_CONVERSATION hits from one conversation, so one long chat cannot fill the page).
 */
import type { Database } from 'node-sqlite3-wasm';
import type { SearchHit } from '../../shared/chat-schemas';

export const SCAN_BOUND = 50_000;
const SCAN_WINDOW = 5_000;
/** A scan stops here with the newest hits it found (a rare 2-character word on a large store). */
export const SCAN_BUDGET_MS = 40;
const PER_CONVERSATION = 2;
const SNIPPET_CHARS = 120;
const BEFORE_HIT = 40;

export interface ParsedQuery {
  /** Terms for the trigram index (≥ 3 characters). */
  long: string[];
  /** Terms too short for trigrams (ASCII-lowercased), checked row by row. */
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

/**
 * A short term as SQL: one with ASCII letters is LIKE (ASCII case-insensitive, no lowered copy of the text), any
 * other (Chinese has no case) instr().
 */
function shortFilter(column: string, terms: readonly string[]): { sql: string; args: string[] } {
  let sql = '';
  const args: string[] = [];
  for (const t of terms) {
    if (/[A-Za-z]/.test(t)) {
      sql += ` AND ${column} LIKE ? ESCAPE '\\'`;
      args.push(`%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    } else {
      sql += ` AND instr(${column}, ?) > 0`;
      args.push(t);
    }
  }
  return { sql, args };
}

function titleHits(db: Database, q: ParsedQuery, limit: number): TitleRow[] {
  if (q.long.length) {
    const f = shortFilter('c.title', q.short);
    return db.all(
      `SELECT c.id, c.title, c.updated_at FROM titles_fts t JOIN conversations c ON c.rowid = t.rowid
       WHERE titles_fts MATCH ? AND c.deleted_at IS NULL${f.sql}
       ORDER BY c.updated_at DESC LIMIT ?`,
      [ftsExpression(q.long), ...f.args, limit],
    ) as unknown as TitleRow[];
  }
  const f = shortFilter('title', q.short);
  return db.all(
    `SELECT id, title, updated_at FROM conversations WHERE deleted_at IS NULL${f.sql}
     ORDER BY updated_at DESC LIMIT ?`,
    [...f.args, limit],
  ) as unknown as TitleRow[];
}

const MESSAGE_FIELDS = 'm.id, m.conversation_id, m.role, m.content, c.title, c.updated_at';

export interface ScanLimits {
  /** Messages per step of a row-by-row scan. */
  window: number;
  /** Messages a scan without an index term looks at, newest first. */
  bound: number;
  budgetMs: number;
}
export const SCAN_LIMITS: ScanLimits = { window: SCAN_WINDOW, bound: SCAN_BOUND, budgetMs: SCAN_BUDGET_MS };

function messageHits(db: Database, q: ParsedQuery, want: number, limits: ScanLimits): MessageRow[] {
  if (q.short.length === 0) {
    // The index alone decides: newest first straight from it, no row read that is not a hit.
    return db.all(
      `SELECT ${MESSAGE_FIELDS} FROM messages_fts f JOIN messages m ON m.seq = f.rowid
       JOIN conversations c ON c.id = m.conversation_id
       WHERE messages_fts MATCH ? AND c.deleted_at IS NULL ORDER BY f.rowid DESC LIMIT ?`,
      [ftsExpression(q.long), want],
    ) as unknown as MessageRow[];
  }
  // Short terms are checked row by row: walk back from the newest message in windows, until enough hits, the
  // newest SCAN_BOUND messages (without an index term), or SCAN_BUDGET_MS.
  const f = shortFilter('m.content', q.short);
  const sql = q.long.length
    ? `SELECT ${MESSAGE_FIELDS} FROM messages_fts fts JOIN messages m ON m.seq = fts.rowid
       JOIN conversations c ON c.id = m.conversation_id
       WHERE messages_fts MATCH ? AND fts.rowid > ? AND fts.rowid <= ? AND c.deleted_at IS NULL${f.sql}
       ORDER BY fts.rowid DESC LIMIT ?`
    : `SELECT ${MESSAGE_FIELDS} FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.seq > ? AND m.seq <= ? AND c.deleted_at IS NULL${f.sql}
       ORDER BY m.seq DESC LIMIT ?`;
  const stmt = db.prepare(sql);
  try {
    const top = Number((db.get('SELECT coalesce(max(seq), 0) AS top FROM messages') as { top: number }).top);
    const floor = q.long.length ? 0 : Math.max(0, top - limits.bound);
    const started = performance.now();
    const rows: MessageRow[] = [];
    for (let hi = top; hi > floor && rows.length < want; hi -= limits.window) {
      const lo = Math.max(floor, hi - limits.window);
      const head = q.long.length ? [ftsExpression(q.long), lo, hi] : [lo, hi];
      rows.push(...(stmt.all([...head, ...f.args, want - rows.length]) as unknown as MessageRow[]));
      if (performance.now() - started >= limits.budgetMs) break;
    }
    return rows;
  } finally {
    stmt.finalize();
  }
}

export function searchConversations(
  db: Database,
  query: string,
  limit: number,
  limits: ScanLimits = SCAN_LIMITS,
): SearchHit[] {
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
  for (const r of messageHits(db, q, (limit - hits.length) * (PER_CONVERSATION + 1), limits)) {
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
