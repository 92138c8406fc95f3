/** Prompt building is a table: thread + preset style in, chat messages out (no backend). */
import { describe, expect, it } from 'vitest';
import type { Attachment, MessageNode } from '../../shared/chat-schemas';
import {
  attachmentBlock,
  buildMessages,
  continuation,
  fenceFor,
  nextCut,
  replyReserve,
  tokenUpperBound,
  userText,
  type PromptStyle,
} from './prompt';

type N = Pick<MessageNode, 'role' | 'content' | 'attachments'> & { reasoning?: string };
const u = (content: string, attachments: Attachment[] = []): N => ({ role: 'user', content, attachments });
const a = (content: string, reasoning = ''): N => ({ role: 'assistant', content, attachments: [], reasoning });

const plain: PromptStyle = { systemPrompt: null, instructionsInUserTurn: false };
const system: PromptStyle = { systemPrompt: 'Be brief.', instructionsInUserTurn: false };
const r1: PromptStyle = { systemPrompt: 'Be brief.', instructionsInUserTurn: true };

describe('buildMessages', () => {
  it.each([
    {
      why: 'no instructions: the thread as it is',
      thread: [u('hi'), a('hello'), u('how?')],
      style: plain,
      out: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'how?' },
      ],
    },
    {
      why: 'a system prompt is the first message',
      thread: [u('hi')],
      style: system,
      out: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    },
    {
      why: 'R1 guidance: the instructions go before the first question, no system message',
      thread: [u('hi'), a('hello'), u('again')],
      style: r1,
      out: [
        { role: 'user', content: 'Be brief.\n\nhi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'again' },
      ],
    },
    {
      why: 'a blank system prompt is none',
      thread: [u('hi')],
      style: { systemPrompt: '  \n', instructionsInUserTurn: false },
      out: [{ role: 'user', content: 'hi' }],
    },
    {
      why: 'earlier reasoning is never sent back (DeepSeek guidance)',
      thread: [u('q'), a('answer', 'long thinking'), u('next')],
      style: plain,
      out: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'answer' },
        { role: 'user', content: 'next' },
      ],
    },
    {
      why: 'a cut reply being continued stays the last message (llama-server prefills it)',
      thread: [u('q'), a('half an ans')],
      style: plain,
      out: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'half an ans' },
      ],
    },
  ])('$why', ({ thread, style, out }) => {
    expect(buildMessages(thread, style)).toEqual(out);
  });

  it('after the oldest turns are left out, R1 instructions go before the first remaining question', () => {
    const thread = [u('old'), a('old answer'), u('new')];
    expect(buildMessages(thread.slice(2), r1)).toEqual([{ role: 'user', content: 'Be brief.\n\nnew' }]);
  });
});

describe('continuation', () => {
  const msgs = buildMessages([u('q'), a('half')], plain);
  it('the reply being continued keeps its reasoning (llama-server continues inside it when there is no content)', () => {
    expect(continuation(msgs, 'thinking so far')).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'half', reasoning_content: 'thinking so far' },
    ]);
  });
  it('no reasoning, or the last message not a reply: unchanged', () => {
    expect(continuation(msgs, '')).toEqual(msgs);
    const q = buildMessages([u('q')], plain);
    expect(continuation(q, 'x')).toEqual(q);
  });
});

describe('attachments', () => {
  it('follow their message as fenced blocks named after the file', () => {
    expect(userText('Review this', [{ name: 'main.ts', text: 'let x = 1;' }])).toBe(
      'Review this\n\nmain.ts\n```ts\nlet x = 1;\n```',
    );
    expect(
      userText('', [
        { name: 'a.md', text: '# A\n' },
        { name: 'notes', text: 'n' },
      ]),
    ).toBe('a.md\n```md\n# A\n```\n\nnotes\n```\nn\n```');
  });

  it('a file holding a fence cannot close the block early', () => {
    const text = 'before\n```\ninside\n````\nafter';
    expect(fenceFor(text)).toBe('`````');
    expect(attachmentBlock({ name: 'README.md', text })).toBe(`README.md\n\`\`\`\`\`md\n${text}\n\`\`\`\`\``);
  });

  it('a name with a line break stays on one line', () => {
    expect(attachmentBlock({ name: 'a\nb.txt', text: 'x' }).split('\n')[0]).toBe('a b.txt');
  });
});

describe('nextCut (which turns dropOldest leaves out)', () => {
  // Nodes of 40 characters ≈ 10 + 4 tokens each by the estimate.
  const t = (n: number) => 'x'.repeat(n);
  const thread = [u(t(40)), a(t(40)), u(t(40)), a(t(40)), u(t(40))];
  it.each([
    { why: 'a little excess drops the first whole turn (question and reply)', from: 0, excess: 5, cut: 2 },
    { why: 'more drops two turns', from: 0, excess: 40, cut: 4 },
    { why: 'from a cut onward', from: 2, excess: 5, cut: 4 },
    { why: 'more than all the history: everything before the question', from: 0, excess: 10_000, cut: 4 },
    { why: 'nothing left to drop', from: 4, excess: 5, cut: null },
  ])('$why', ({ from, excess, cut }) => {
    expect(nextCut(thread, from, excess, 4)).toBe(cut);
  });

  it('never cuts inside a turn (a reply without its question)', () => {
    for (let excess = 1; excess < 200; excess += 7) {
      const cut = nextCut(thread, 0, excess, 4);
      expect(cut === null || thread[cut]!.role === 'user').toBe(true);
    }
  });
});

describe('budget helpers', () => {
  it('the upper bound is never below the bytes of the text', () => {
    const msgs = [{ role: 'user' as const, content: '你好，世界' }];
    expect(tokenUpperBound(msgs)).toBeGreaterThanOrEqual(Buffer.byteLength('你好，世界'));
  });

  it.each([
    { limit: 8192, max: undefined, reserve: 1024 },
    { limit: 2048, max: undefined, reserve: 512 },
    { limit: 8192, max: 100, reserve: 100 },
    // A cap above the context (a reply allowed to run to the end) reserves the default share, not the context.
    { limit: 4096, max: 100_000, reserve: 1024 },
  ])('reserve for the reply: limit $limit, max_tokens $max → $reserve', ({ limit, max, reserve }) => {
    expect(replyReserve(limit, max)).toBe(reserve);
  });
});
