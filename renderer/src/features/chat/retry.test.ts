import { describe, expect, it } from 'vitest';
import type { MessageNode } from '@shared/chat-schemas';
import { canRetry } from './retry';

const crashed = { code: 'BACKEND_CRASHED' as const, message: 'signal SIGKILL' };
const reply = (o: Partial<MessageNode> = {}): MessageNode => ({
  id: 'a1',
  parentId: 'u1',
  role: 'assistant',
  content: 'Once upon a',
  reasoning: '',
  attachments: [],
  createdAt: 1,
  status: 'error',
  finishReason: null,
  timings: null,
  error: crashed,
  reasoningMs: null,
  model: null,
  ...o,
});

describe('canRetry', () => {
  it('the last reply of the thread, ended by the backend dying', () => {
    expect(canRetry(reply(), 'a1')).toBe(true);
    for (const code of ['BACKEND_OOM', 'BACKEND_HUNG', 'BACKEND_EXITED'] as const)
      expect(canRetry(reply({ error: { code, message: '' } }), 'a1'), code).toBe(true);
  });

  it('not a reply that failed for another reason, was stopped by the user, or is still streaming', () => {
    expect(canRetry(reply({ error: { code: 'BACKEND_QUEUE_FULL', message: '' } }), 'a1')).toBe(false);
    expect(canRetry(reply({ status: 'stopped', error: null }), 'a1')).toBe(false);
    expect(canRetry(reply({ status: 'streaming' }), 'a1')).toBe(false);
    expect(canRetry(reply({ role: 'user' }), 'a1')).toBe(false);
  });

  // A new version of an earlier reply would not be what the later turns answered to.
  it('not an interrupted reply with turns after it', () => {
    expect(canRetry(reply(), 'u2')).toBe(false);
  });
});
