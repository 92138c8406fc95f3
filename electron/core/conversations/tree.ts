/**
 * Decisions on a conversation's message tree, without the database: the thread to a leaf, a subtree, where the leaf
 * goes when a branch is deleted. Nodes come in creation order (seq ascending), so "newest" is "latest in the list".
 */

export interface TreeNode {
  id: string;
  parentId: string | null;
}

/** The path from the root to `leafId`, root first; [] when the leaf is not in the tree. */
export function pathTo<N extends TreeNode>(nodes: readonly N[], leafId: string | null): N[] {
  if (!leafId) return [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: N[] = [];
  const seen = new Set<string>();
  for (let n = byId.get(leafId); n && !seen.has(n.id); n = n.parentId ? byId.get(n.parentId) : undefined) {
    seen.add(n.id);
    out.push(n);
  }
  return out.reverse();
}

/** `id` and all its descendants. */
export function subtree(nodes: readonly TreeNode[], id: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.parentId === null) continue;
    const list = children.get(n.parentId) ?? [];
    list.push(n.id);
    children.set(n.parentId, list);
  }
  const out = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const next = stack.pop()!;
    if (out.has(next)) continue;
    out.add(next);
    stack.push(...(children.get(next) ?? []));
  }
  return out;
}

/**
 * The newest leaf under `id`: the node created last in its subtree (children are created after their parent, so
 * that node has no children: it is a leaf, and the end of the branch written last).
 */
export function latestLeaf(nodes: readonly TreeNode[], id: string): string {
  const under = subtree(nodes, id);
  let last = id;
  for (const n of nodes) if (under.has(n.id)) last = n.id;
  return last;
}

/**
 * Where the thread on screen goes once `removed` (a subtree rooted at `removedRoot`) is gone. A leaf outside it
 * stays; otherwise the newest remaining sibling's latest leaf, else the parent (null: the tree is empty at the root).
 */
export function leafAfterDelete(
  nodes: readonly TreeNode[],
  removedRoot: TreeNode,
  removed: ReadonlySet<string>,
  currentLeaf: string | null,
): string | null {
  if (currentLeaf && !removed.has(currentLeaf) && nodes.some((n) => n.id === currentLeaf)) return currentLeaf;
  const remaining = nodes.filter((n) => !removed.has(n.id));
  const siblings = remaining.filter((n) => n.parentId === removedRoot.parentId);
  const newest = siblings[siblings.length - 1];
  if (newest) return latestLeaf(remaining, newest.id);
  return removedRoot.parentId;
}
