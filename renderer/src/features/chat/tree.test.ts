import { describe, expect, it } from 'vitest';
import type { MessageNode } from '@shared/chat-schemas';
import { childrenOf, lastUserId, leafUnder, mergeNode, siblingsOf, tailOf, threadOf } from './tree';

let t = 0;
const node = (id: string, parentId: string | null, role: 'user' | 'assistant', o: Partial<MessageNode> = {}) =>
  ({
    id,
    parentId,
    role,
    content: id,
    reasoning: '',
    attachments: [],
    createdAt: ++t,
    status: 'done',
    finishReason: 'stop',
    timings: null,
    error: null,
    reasoningMs: null,
    model: null,
    ...o,
  }) satisfies MessageNode;

// u1 → a1 | a2 (regenerated) ; a2 → u2 → a3 ; u1' (edit of u1) → a4
const tree = [
  node('u1', null, 'user'),
  node('a1', 'u1', 'assistant'),
  node('a2', 'u1', 'assistant'),
  node('u2', 'a2', 'user'),
  node('a3', 'u2', 'assistant'),
  node('u1b', null, 'user'),
  node('a4', 'u1b', 'assistant'),
];
const nodes = Object.fromEntries(tree.map((n) => [n.id, n]));
const children = childrenOf(tree);

describe('the thread on screen', () => {
  it('runs from the root to the leaf', () => {
    expect(threadOf(nodes, 'a3')).toEqual(['u1', 'a2', 'u2', 'a3']);
    expect(threadOf(nodes, 'a1')).toEqual(['u1', 'a1']);
    expect(threadOf(nodes, null)).toEqual([]);
    expect(threadOf(nodes, 'nope')).toEqual([]);
  });

  // A damaged tree (a parent that points back down) must not hang the page.
  it('stops at a cycle', () => {
    const bad = { x: node('x', 'y', 'user'), y: node('y', 'x', 'assistant') };
    expect(threadOf(bad, 'x')).toEqual(['y', 'x']);
  });

  it('versions are the siblings: regenerated replies, edited questions (roots too)', () => {
    expect(siblingsOf(nodes, children, 'a2')).toEqual(['a1', 'a2']);
    expect(siblingsOf(nodes, children, 'u1b')).toEqual(['u1', 'u1b']);
    expect(siblingsOf(nodes, children, 'a3')).toEqual(['a3']);
  });

  it('switching to a version shows its newest branch below', () => {
    expect(leafUnder(nodes, children, 'a1')).toBe('a1');
    expect(leafUnder(nodes, children, 'a2')).toBe('a3');
    expect(leafUnder(nodes, children, 'u1')).toBe('a3');
    expect(leafUnder(nodes, children, 'u1b')).toBe('a4');
  });

  it('↑ edits the last question of the thread', () => {
    expect(lastUserId(nodes, threadOf(nodes, 'a3'))).toBe('u2');
    expect(lastUserId(nodes, [])).toBeNull();
  });
});

describe('a streamed delta against the text we hold', () => {
  it.each([
    // have, offset, text → what to append (null: a gap, refetch)
    [0, 0, 'abc', 'abc'],
    [3, 3, 'de', 'de'],
    [5, 3, 'de', ''], // replayed after a refetch that already had it
    [4, 3, 'de', 'e'], // overlaps what we hold
    [3, 5, 'fg', null], // text missing between
    [3, 3, undefined, ''],
    [3, 4, undefined, null],
  ] as const)('have %i, delta at %i %j → %j', (have, offset, text, out) => {
    expect(tailOf(have, offset, text)).toBe(out);
  });

  it('a streaming snapshot older than our text keeps ours; a finished one is the word', () => {
    const ours = node('a', 'u', 'assistant', { status: 'streaming', content: 'Hello wor', reasoning: 'hm' });
    const older = node('a', 'u', 'assistant', { status: 'streaming', content: 'Hel', reasoning: 'hm' });
    expect(mergeNode(ours, older).content).toBe('Hello wor');
    const newer = node('a', 'u', 'assistant', { status: 'streaming', content: 'Hello world', reasoning: 'hm' });
    expect(mergeNode(ours, newer)).toBe(newer);
    const done = node('a', 'u', 'assistant', { status: 'stopped', content: 'Hello', reasoning: '' });
    expect(mergeNode(ours, done)).toBe(done);
  });
});
