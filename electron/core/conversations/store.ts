/**
 * The conversation store on SQLite (db.ts opens it; schema.ts says what is in it). Every change is one transaction;
 * a failed one (DISK_FULL…) leaves the conversation as it was.
 *
 * onChange() is called after every change that alters the list (create, rename, pin, a message added, a reply
 * starting or ending, delete…), never for a streaming reply's partial text (updateMessage with content/reasoning
 * only: one UPDATE, no index work, no updatedAt). The owner coalesces the calls (compose/conversations.ts).
 * messageCount is the length of the thread on screen (root to leaf), kept in conversations.thread_len.
 */
import crypto from 'node:crypto';
import type { Database } from 'node-sqlite3-wasm';
import type { ConversationDetail, ConversationListItem, MessageNode, SearchHit } from '../../shared/chat-schemas';
import { AppError } from '../../shared/errors';
import { Statements, openConversationDb, storeError, transaction, type OpenedDb } from './db';
import { ListCache } from './list-cache';
import type { ConversationInit, ConversationPatch, ConversationRepo } from './repo';
import {
  LIST_SQL,
  MESSAGE_COLUMNS,
  MESSAGE_PATCH_COLUMNS,
  messageValues,
  toDetail,
  toListItem,
  toNode,
  type ConversationRow,
  type MessageRow,
} from './rows';
import { searchConversations } from './search';
import { leafAfterDelete, pathTo, subtree, type TreeNode } from './tree';

export const newId = () => crypto.randomBytes(12).toString('base64url');

/** A whole conversation to insert as it is (migration, import, fork): ids already chosen by the caller. */
export interface ConversationInsert extends Omit<ConversationDetail, 'messageCount' | 'streaming'> {
  deletedAt?: number | null;
}

const CONTENT_ONLY = new Set(['content', 'reasoning']);

export interface StoreOptions {
  dataDir: string;
  log: (msg: string) => void;
  onChange?: () => void;
}

export class SqliteConversationRepo implements ConversationRepo {
  /** The connection (tests set pragmas on it, e.g. max_page_count for a full disk). */
  readonly db: Database;
  readonly file: string;
  readonly setAside: OpenedDb['setAside'];
  private readonly stmts: Statements;
  private readonly listCache: ListCache;
  private readonly onChange: () => void;

  constructor(opts: StoreOptions) {
    const opened = openConversationDb(opts.dataDir, opts.log);
    this.db = opened.db;
    this.file = opened.file;
    this.setAside = opened.setAside;
    this.stmts = new Statements(this.db);
    this.listCache = new ListCache(this.stmts);
    this.onChange = opts.onChange ?? (() => undefined);
  }

  private tx<T>(fn: () => T): T {
    return transaction(this.db, this.file, fn);
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw storeError(e, this.file);
    }
  }

  private row(id: string, includeDeleted: boolean): ConversationRow {
    const r = this.stmts.get(`${LIST_SQL} WHERE c.id = ?`).get(id) as ConversationRow | null;
    if (!r || (r.deleted_at !== null && !includeDeleted)) throw new AppError('CONVERSATION_NOT_FOUND', { id });
    return r;
  }

  private nodes(conversationId: string): MessageRow[] {
    return this.stmts
      .get('SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq')
      .all(conversationId) as unknown as MessageRow[];
  }

  /** The tree's shape (ids and parents, creation order) without the text. */
  private shape(conversationId: string): TreeNode[] {
    return this.stmts
      .get('SELECT id, parent_id AS parentId FROM messages WHERE conversation_id = ? ORDER BY seq')
      .all(conversationId) as unknown as TreeNode[];
  }

  /** Sets the leaf and the thread length that goes with it. */
  private setLeaf(conversationId: string, leafId: string | null, tree: readonly TreeNode[]) {
    const len = pathTo(tree, leafId).length;
    this.stmts
      .get('UPDATE conversations SET leaf_id = ?, thread_len = ? WHERE id = ?')
      .run([leafId, len, conversationId]);
  }

  /** After a change: the list entries of `ids` re-read (none named: the whole list), then the owner told. */
  private changed(...ids: string[]) {
    this.listCache.refresh(ids);
    this.onChange();
  }

  list(): ConversationListItem[] {
    return this.read(() => this.listCache.list());
  }

  get(id: string): ConversationDetail {
    return this.read(() => toDetail(this.row(id, false), this.nodes(id).map(toNode)));
  }

  create(init: ConversationInit): ConversationDetail {
    const id = newId();
    const now = Date.now();
    this.tx(() =>
      this.stmts
        .get(
          `INSERT INTO conversations (id, title, title_auto, system_prompt, preset_id, model, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run([
          id,
          init.title ?? '',
          // Untitled: the first exchange names it (unless the user renames it first).
          (init.titleAuto ?? !init.title) ? 1 : 0,
          init.systemPrompt ?? null,
          init.presetId ?? null,
          init.model ?? null,
          now,
          now,
        ]),
    );
    this.changed(id);
    return this.get(id);
  }

  update(id: string, patch: ConversationPatch): ConversationListItem {
    this.tx(() => {
      this.row(id, false);
      const sets: string[] = [];
      const values: Array<string | number | null> = [];
      const set = (column: string, value: string | number | null) => {
        sets.push(`${column} = ?`);
        values.push(value);
      };
      if (patch.title !== undefined) {
        set('title', patch.title);
        set('title_auto', patch.titleAuto ? 1 : 0);
      } else if (patch.titleAuto !== undefined) set('title_auto', patch.titleAuto ? 1 : 0);
      if (patch.pinned !== undefined) set('pinned', patch.pinned ? 1 : 0);
      if (patch.systemPrompt !== undefined) set('system_prompt', patch.systemPrompt);
      if (patch.presetId !== undefined) set('preset_id', patch.presetId);
      if (patch.model !== undefined) set('model', patch.model);
      if (sets.length) this.db.run(`UPDATE conversations SET ${sets.join(', ')} WHERE id = ?`, [...values, id]);
      if (patch.leafId !== undefined) {
        const tree = this.shape(id);
        if (patch.leafId !== null && !tree.some((n) => n.id === patch.leafId))
          throw new AppError('MESSAGE_NOT_FOUND', { id: patch.leafId });
        this.setLeaf(id, patch.leafId, tree);
      }
    });
    this.changed(id);
    return toListItem(this.row(id, false));
  }

  /** Adds a node and makes it the leaf (the thread on screen ends with what was just written). */
  addMessage(conversationId: string, node: MessageNode): void {
    this.addMessages(conversationId, [node]);
  }

  /** Adds nodes in order (each may hang under the one before), all or none; the last becomes the leaf. */
  addMessages(conversationId: string, nodes: readonly MessageNode[]): void {
    const last = nodes[nodes.length - 1];
    if (!last) return;
    this.tx(() => {
      this.row(conversationId, true);
      const tree = this.shape(conversationId);
      const ids = new Set(tree.map((n) => n.id));
      const insert = this.stmts.get(
        `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const node of nodes) {
        if (ids.has(node.id)) throw new AppError('INVALID_PARAMS', { issues: `message ${node.id} exists` });
        if (node.parentId !== null && !ids.has(node.parentId))
          throw new AppError('MESSAGE_NOT_FOUND', { id: node.parentId });
        insert.run(messageValues(conversationId, node));
        ids.add(node.id);
        tree.push({ id: node.id, parentId: node.parentId });
      }
      const model = [...nodes].reverse().find((n) => n.model !== null)?.model ?? null;
      this.stmts
        .get(
          `UPDATE conversations SET leaf_id = ?, thread_len = ?, updated_at = ?, model = coalesce(?, model) WHERE id = ?`,
        )
        .run([last.id, pathTo(tree, last.id).length, Date.now(), model, conversationId]);
    });
    this.changed(conversationId);
  }

  updateMessage(conversationId: string, messageId: string, patch: Partial<Omit<MessageNode, 'id' | 'parentId'>>): void {
    // Only the columns a node has (an id or parentId in the patch is not a change this method makes).
    const keys = Object.keys(patch).filter(
      (k) => (patch as Record<string, unknown>)[k] !== undefined && Object.hasOwn(MESSAGE_PATCH_COLUMNS, k),
    );
    if (keys.length === 0) return;
    const sets = keys.filter((k) => MESSAGE_PATCH_COLUMNS[k]).map((k) => MESSAGE_PATCH_COLUMNS[k]!);
    const values = keys
      .filter((k) => MESSAGE_PATCH_COLUMNS[k])
      .map((k) => MESSAGE_PATCH_COLUMNS[k]![1]((patch as Record<string, unknown>)[k]));
    const sql = `UPDATE messages SET ${sets.map(([c]) => `${c} = ?`).join(', ')} WHERE conversation_id = ? AND id = ?`;
    if (keys.every((k) => CONTENT_ONLY.has(k))) {
      // The streaming reply's partial text: one statement (its own transaction), no index, no list change.
      const info = this.read(() => this.stmts.get(sql).run([...values, conversationId, messageId]));
      if (info.changes === 0) throw new AppError('MESSAGE_NOT_FOUND', { id: messageId });
      return;
    }
    this.tx(() => {
      const info = this.stmts.get(sql).run([...values, conversationId, messageId]);
      if (info.changes === 0) throw new AppError('MESSAGE_NOT_FOUND', { id: messageId });
      this.stmts
        .get('UPDATE conversations SET updated_at = ?, model = coalesce(?, model) WHERE id = ?')
        .run([Date.now(), patch.model ?? null, conversationId]);
    });
    this.changed(conversationId);
  }

  thread(conversationId: string, leafId?: string | null): MessageNode[] {
    return this.read(() => {
      const c = this.row(conversationId, true);
      const leaf = leafId === undefined || leafId === null ? c.leaf_id : leafId;
      const nodes = this.nodes(conversationId).map(toNode);
      if (leaf !== null && !nodes.some((n) => n.id === leaf)) throw new AppError('MESSAGE_NOT_FOUND', { id: leaf });
      return pathTo(nodes, leaf);
    });
  }

  deleteMessage(conversationId: string, messageId: string): { removed: string[]; leafId: string | null } {
    const result = this.tx(() => {
      const c = this.row(conversationId, true);
      const tree = this.shape(conversationId);
      const root = tree.find((n) => n.id === messageId);
      if (!root) throw new AppError('MESSAGE_NOT_FOUND', { id: messageId });
      const removed = subtree(tree, messageId);
      const leafId = leafAfterDelete(tree, root, removed, c.leaf_id);
      const del = this.stmts.get('DELETE FROM messages WHERE conversation_id = ? AND id = ?');
      for (const id of removed) del.run([conversationId, id]);
      this.setLeaf(
        conversationId,
        leafId,
        tree.filter((n) => !removed.has(n.id)),
      );
      this.stmts.get('UPDATE conversations SET updated_at = ? WHERE id = ?').run([Date.now(), conversationId]);
      return { removed: [...removed], leafId };
    });
    this.changed(conversationId);
    return result;
  }

  delete(id: string): boolean {
    const info = this.tx(() =>
      this.stmts
        .get('UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL')
        .run([Date.now(), id]),
    );
    if (info.changes > 0) this.changed(id);
    return info.changes > 0;
  }

  restore(id: string): boolean {
    const info = this.tx(() =>
      this.stmts.get('UPDATE conversations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL').run(id),
    );
    if (info.changes > 0) this.changed(id);
    return info.changes > 0;
  }

  /** Removes for good what was deleted before this start (the undo window ends when the app quits). */
  purgeDeleted(): number {
    this.listCache.refresh([]);
    return this.tx(() => this.db.run('DELETE FROM conversations WHERE deleted_at IS NOT NULL').changes);
  }

  fork(id: string, messageId: string): ConversationDetail {
    const source = this.get(id);
    const path = pathTo(source.messages, messageId);
    if (path.length === 0) throw new AppError('MESSAGE_NOT_FOUND', { id: messageId });
    const now = Date.now();
    const newIds = new Map(path.map((n) => [n.id, newId()]));
    const forkId = this.insert({
      ...source,
      id: newId(),
      pinned: false,
      createdAt: now,
      updatedAt: now,
      leafId: newIds.get(messageId)!,
      messages: path.map((n) => ({
        ...n,
        id: newIds.get(n.id)!,
        parentId: n.parentId === null ? null : newIds.get(n.parentId)!,
        // The copy is not written to by the reply still streaming in the original.
        status: n.status === 'streaming' ? 'interrupted' : n.status,
      })),
    });
    return this.get(forkId);
  }

  /** Inserts whole conversations (ids chosen by the caller) in one transaction; returns their ids. */
  insertMany(conversations: readonly ConversationInsert[]): string[] {
    const ids = this.tx(() => conversations.map((c) => this.insertOne(c)));
    if (ids.length) this.changed(...ids);
    return ids;
  }

  insert(c: ConversationInsert): string {
    return this.insertMany([c])[0]!;
  }

  private insertOne(c: ConversationInsert): string {
    this.stmts
      .get(
        `INSERT INTO conversations (id, title, title_auto, pinned, system_prompt, preset_id, leaf_id, model,
           created_at, updated_at, deleted_at, thread_len) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run([
        c.id,
        c.title,
        c.titleAuto ? 1 : 0,
        c.pinned ? 1 : 0,
        c.systemPrompt,
        c.presetId,
        c.leafId,
        c.model,
        c.createdAt,
        c.updatedAt,
        c.deletedAt ?? null,
        pathTo(c.messages, c.leafId).length,
      ]);
    const insert = this.stmts.get(
      `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const n of c.messages) insert.run(messageValues(c.id, n));
    return c.id;
  }

  search(query: string, limit: number): SearchHit[] {
    return this.read(() => searchConversations(this.db, query, limit));
  }

  markInterrupted(): number {
    const n = this.tx(
      () => this.db.run("UPDATE messages SET status = 'interrupted' WHERE status = 'streaming'").changes,
    );
    if (n > 0) this.changed();
    return n;
  }

  /** A fact kept in the database (e.g. that the JSON conversations were migrated). */
  meta(key: string): string | null {
    const r = this.db.get('SELECT value FROM meta WHERE key = ?', key) as { value: string } | null;
    return r ? r.value : null;
  }

  setMeta(key: string, value: string) {
    this.tx(() => this.db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, value]));
  }

  close(): void {
    if (!this.db.isOpen) return;
    this.stmts.finalize();
    this.db.close();
  }
}
