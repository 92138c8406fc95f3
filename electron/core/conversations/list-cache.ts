/**
 * The conversation list, kept in memory: it is sent whole after every change, and on a large store a full read is
 * tens of milliseconds of a synchronous call. Read once, then one row re-read per changed conversation.
 */
import type { ConversationListItem } from '../../shared/chat-schemas';
import type { Statements } from './db';
import { LIST_SQL, toListItem, type ConversationRow } from './rows';

/** Above this many changed conversations at once, the whole list is read again instead. */
const REFRESH_MAX = 100;

export class ListCache {
  private items: Map<string, ConversationListItem> | null = null;

  constructor(private readonly stmts: Statements) {}

  private readAll(): Map<string, ConversationListItem> {
    const streaming = new Set(
      (
        this.stmts
          .get("SELECT DISTINCT conversation_id AS id FROM messages WHERE status = 'streaming'")
          .all() as unknown as Array<{ id: string }>
      ).map((r) => r.id),
    );
    const rows = this.stmts
      .get(
        `SELECT id, title, created_at, updated_at, model, pinned, thread_len FROM conversations
         WHERE deleted_at IS NULL ORDER BY pinned DESC, updated_at DESC`,
      )
      .all() as unknown as ConversationRow[];
    return new Map(rows.map((r) => [r.id, { ...toListItem(r), streaming: streaming.has(r.id) }]));
  }

  /** Pinned first, then newest first; copies. */
  list(): ConversationListItem[] {
    this.items ??= this.readAll();
    return [...this.items.values()]
      .sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.updatedAt - a.updatedAt)
      .map((c) => ({ ...c }));
  }

  /** After a committed change: the entries of `ids` re-read (none named: everything, at the next list()). */
  refresh(ids: readonly string[]) {
    if (ids.length === 0 || ids.length > REFRESH_MAX) {
      this.items = null;
      return;
    }
    if (!this.items) return;
    for (const id of ids) {
      const r = this.stmts.get(`${LIST_SQL} WHERE c.id = ?`).get(id) as ConversationRow | null;
      if (r && r.deleted_at === null) this.items.set(id, toListItem(r));
      else this.items.delete(id);
    }
  }
}
