/**
 * The conversation tree on screen, as pure functions (tested without a server): the thread from the root to the
 * leaf, versions (siblings), the leaf a version switch lands on, and how a streamed delta meets the text we hold.
 */
import type { MessageNode } from '@shared/chat-schemas';

export type Nodes = Readonly<Record<string, MessageNode>>;
/** Parent id ('' for the root) → child ids in creation order. */
export type Children = Readonly<Record<string, readonly string[]>>;

export const ROOT = '';
export const parentKey = (n: Pick<MessageNode, 'parentId'>): string => n.parentId ?? ROOT;

export function childrenOf(messages: readonly MessageNode[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of messages) (out[parentKey(m)] ??= []).push(m.id);
  return out;
}

/** Ids from the root to `leafId` (empty when it is null or unknown). A cycle or a missing parent ends the walk. */
export function threadOf(nodes: Nodes, leafId: string | null): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let id = leafId;
  while (id !== null && nodes[id] && !seen.has(id)) {
    seen.add(id);
    out.push(id);
    id = nodes[id]!.parentId;
  }
  return out.reverse();
}

/** The versions of a message: its siblings (itself included), oldest first. */
export function siblingsOf(nodes: Nodes, children: Children, id: string): readonly string[] {
  const n = nodes[id];
  return n ? (children[parentKey(n)] ?? [id]) : [];
}

/** The leaf a switch to version `id` shows: down from it, the newest child each time (the latest branch there). */
export function leafUnder(nodes: Nodes, children: Children, id: string): string {
  let at = id;
  const seen = new Set<string>();
  for (;;) {
    seen.add(at);
    const kids = (children[at] ?? []).filter((k) => nodes[k] && !seen.has(k));
    if (kids.length === 0) return at;
    at = kids.reduce((a, b) => (nodes[b]!.createdAt >= nodes[a]!.createdAt ? b : a));
  }
}

/**
 * A delta that starts at `offset` against the `have` characters we hold: the part to append ('' when we have it all
 * already, a replay), or null when text is missing between (a gap: refetch the conversation).
 */
export function tailOf(have: number, offset: number, text: string | undefined): string | null {
  if (!text) return offset > have ? null : '';
  if (offset > have) return null;
  return offset + text.length <= have ? '' : text.slice(have - offset);
}

/**
 * A node from the core replaces ours, except that a "streaming" snapshot older than the text we already hold (deltas
 * that overtook a refetch) keeps our longer text.
 */
export function mergeNode(ours: MessageNode | undefined, theirs: MessageNode): MessageNode {
  if (!ours || theirs.status !== 'streaming') return theirs;
  const content = ours.content.length > theirs.content.length ? ours.content : theirs.content;
  const reasoning = ours.reasoning.length > theirs.reasoning.length ? ours.reasoning : theirs.reasoning;
  return content === theirs.content && reasoning === theirs.reasoning ? theirs : { ...theirs, content, reasoning };
}

/** The last user message of the thread (↑ in an empty composer edits it). */
export function lastUserId(nodes: Nodes, thread: readonly string[]): string | null {
  for (let i = thread.length - 1; i >= 0; i--) if (nodes[thread[i]!]?.role === 'user') return thread[i]!;
  return null;
}
