/**
 * The conversation on screen, as the core holds it: its tree of messages and the leaf that picks the thread. The core
 * owns and saves it (sync.ts applies its events here); this store only mirrors it, plus what the page is composing.
 * Components select per message (`nodes[id]`), so a streamed delta re-renders that message only, not the list.
 */
import { create } from 'zustand';
import type { Attachment, ConversationDetail, MessageNode } from '@shared/chat-schemas';
import type { ErrorInfo } from '@shared/errors';
import { childrenOf, mergeNode, parentKey, threadOf, type Children, type Nodes } from '../features/chat/tree';

export type ConversationMeta = Omit<ConversationDetail, 'messages'>;

/** A file attached to the draft (its text goes with the message); size in bytes as read. */
export interface DraftAttachment extends Attachment {
  size: number;
}

/** A send the context could not hold, waiting for the user's choice (a summary chat, or drop the oldest turns). */
export interface Overflow {
  content: string;
  attachments: DraftAttachment[];
  editOf?: string;
}

interface ChatState {
  /** The conversation on screen; null: a new chat (created in the core on its first send). */
  meta: ConversationMeta | null;
  nodes: Nodes;
  children: Children;
  leafId: string | null;
  /** Ids from the root to the leaf; a new array only when the thread's shape changes (not on a delta). */
  thread: readonly string[];
  /** A reply streaming anywhere in this conversation. */
  streamingId: string | null;
  /** Opening failed (not found, connection): shown instead of the thread. */
  loadError: ErrorInfo | null;
  loading: boolean;
  draft: string;
  attachments: DraftAttachment[];
  /** The user message being edited in place. */
  editingId: string | null;
  overflow: Overflow | null;
  /** The last action that failed (send, delete …), shown above the composer until the next one. */
  error: ErrorInfo | null;
  /** A new chat's system prompt and preset, chosen before its first send (null fields: the defaults). */
  setup: { systemPrompt: string | null; presetId: string | null };

  load: (detail: ConversationDetail) => void;
  upsert: (node: MessageNode) => void;
  /** Appends text to messages (one store update for a batch of deltas). */
  append: (batch: ReadonlyMap<string, { content: string; reasoning: string }>) => void;
  setLeaf: (leafId: string | null) => void;
  remove: (ids: readonly string[]) => void;
  setMeta: (patch: Partial<ConversationMeta>) => void;
  setLoading: (loading: boolean, error?: ErrorInfo | null) => void;
  setDraft: (draft: string) => void;
  setAttachments: (attachments: DraftAttachment[]) => void;
  setEditing: (id: string | null) => void;
  setOverflow: (overflow: Overflow | null) => void;
  setError: (error: ErrorInfo | null) => void;
  setSetup: (patch: Partial<ChatState['setup']>) => void;
  /** A new, empty chat. */
  clear: () => void;
}

const streamingOf = (nodes: Nodes): string | null => {
  for (const id in nodes) if (nodes[id]!.status === 'streaming') return id;
  return null;
};

const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A new thread array only when it differs, so subscribers of `thread` do not re-render for nothing. */
const withThread = (prev: readonly string[], nodes: Nodes, leafId: string | null) => {
  const next = threadOf(nodes, leafId);
  return sameIds(prev, next) ? prev : next;
};

const empty = {
  meta: null,
  nodes: {},
  children: {},
  leafId: null,
  thread: [] as readonly string[],
  streamingId: null,
  loadError: null,
  loading: false,
  editingId: null,
  overflow: null,
  error: null,
  setup: { systemPrompt: null, presetId: null },
};

export const useChat = create<ChatState>()((set) => ({
  ...empty,
  draft: '',
  attachments: [],

  load: (detail) =>
    set((s) => {
      const { messages, ...meta } = detail;
      const nodes: Record<string, MessageNode> = {};
      for (const m of messages) nodes[m.id] = mergeNode(s.meta?.id === detail.id ? s.nodes[m.id] : undefined, m);
      const leafId = detail.leafId;
      return {
        meta,
        nodes,
        children: childrenOf(messages),
        leafId,
        thread: withThread(s.meta?.id === detail.id ? s.thread : [], nodes, leafId),
        streamingId: streamingOf(nodes),
        loadError: null,
        loading: false,
      };
    }),

  upsert: (node) =>
    set((s) => {
      const known = s.nodes[node.id];
      const nodes = { ...s.nodes, [node.id]: mergeNode(known, node) };
      let { children, leafId } = s;
      if (!known) {
        const key = parentKey(node);
        children = { ...children, [key]: [...(children[key] ?? []), node.id] };
        // The thread grows (a question, then its reply), here or in another window: follow it.
        if (node.parentId === leafId) leafId = node.id;
      }
      const streamingId =
        node.status === 'streaming' ? node.id : s.streamingId === node.id ? streamingOf(nodes) : s.streamingId;
      return {
        nodes,
        children,
        leafId,
        thread: known ? s.thread : withThread(s.thread, nodes, leafId),
        streamingId,
      };
    }),

  append: (batch) =>
    set((s) => {
      const nodes = { ...s.nodes };
      for (const [id, add] of batch) {
        const n = nodes[id];
        if (n) nodes[id] = { ...n, content: n.content + add.content, reasoning: n.reasoning + add.reasoning };
      }
      return { nodes };
    }),

  setLeaf: (leafId) => set((s) => ({ leafId, thread: withThread(s.thread, s.nodes, leafId) })),

  remove: (ids) =>
    set((s) => {
      const gone = new Set(ids);
      const nodes: Record<string, MessageNode> = {};
      for (const id in s.nodes) if (!gone.has(id)) nodes[id] = s.nodes[id]!;
      const children = childrenOf(Object.values(nodes).sort((a, b) => a.createdAt - b.createdAt));
      // The leaf went with them: its nearest surviving ancestor until the core says where the thread is now.
      let leafId = s.leafId;
      while (leafId !== null && gone.has(leafId)) leafId = s.nodes[leafId]?.parentId ?? null;
      return {
        nodes,
        children,
        leafId,
        thread: withThread(s.thread, nodes, leafId),
        streamingId: streamingOf(nodes),
        editingId: s.editingId && gone.has(s.editingId) ? null : s.editingId,
      };
    }),

  setMeta: (patch) => set((s) => (s.meta ? { meta: { ...s.meta, ...patch } } : {})),
  setLoading: (loading, loadError = null) => set({ loading, loadError }),
  setDraft: (draft) => set({ draft }),
  setAttachments: (attachments) => set({ attachments }),
  setEditing: (editingId) => set({ editingId }),
  setOverflow: (overflow) => set({ overflow }),
  setError: (error) => set({ error }),
  setSetup: (patch) => set((s) => ({ setup: { ...s.setup, ...patch } })),
  clear: () => set({ ...empty }),
}));

/** The message `id` (a component re-renders only when this message changes). */
export const useNode = (id: string): MessageNode | undefined => useChat((s) => s.nodes[id]);
