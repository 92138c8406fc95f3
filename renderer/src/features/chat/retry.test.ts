import { describe, expect, it } from 'vitest';
import { newMessage, type UiMessage } from '../../stores/chat';
import { canRetry, freshReply, retryRequest } from './retry';

const user = (content: string) => newMessage('user', content);
const reply = (content: string, o: Partial<UiMessage> = {}): UiMessage => ({
  ...newMessage('assistant', content),
  ...o,
});
const crashed = { code: 'BACKEND_CRASHED' as const, message: 'signal SIGKILL' };

describe('canRetry', () => {
  it('the last reply, ended by the backend dying, finished streaming', () => {
    const cut = reply('Once upon a', { error: crashed });
    expect(canRetry([user('hi'), cut], cut.id)).toBe(true);
    for (const code of ['BACKEND_OOM', 'BACKEND_HUNG', 'BACKEND_EXITED'] as const) {
      const r = reply('x', { error: { code, message: '' } });
      expect(canRetry([user('hi'), r], r.id), code).toBe(true);
    }
  });

  it('not a reply that failed for another reason, was stopped by the user, or is still streaming', () => {
    const other = reply('', { error: { code: 'BACKEND_QUEUE_FULL', message: '' } });
    const stopped = reply('half', { stopped: true });
    const streaming = reply('half', { error: crashed, streaming: true });
    for (const r of [other, stopped, streaming]) expect(canRetry([user('hi'), r], r.id)).toBe(false);
  });

  // Replacing an earlier reply would change what the later turns answered to.
  it('not an interrupted reply with turns after it', () => {
    const cut = reply('Once', { error: crashed });
    expect(canRetry([user('a'), cut, user('b'), reply('ok')], cut.id)).toBe(false);
    expect(canRetry([user('a'), cut], 'nope')).toBe(false);
  });
});

describe('retryRequest', () => {
  it('asks the same user turn with the history before it; the interrupted text is not sent', () => {
    const cut = reply('partial answer', { error: crashed });
    const messages = [user('first'), reply('answer one'), user('second'), cut];
    expect(retryRequest(messages, cut.id)).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'answer one' },
      { role: 'user', content: 'second' },
    ]);
  });

  it('null without a user turn before it, or for a user message', () => {
    const lone = reply('x', { error: crashed });
    expect(retryRequest([lone], lone.id)).toBeNull();
    const u = user('q');
    expect(retryRequest([u], u.id)).toBeNull();
  });
});

it('freshReply empties everything a finished or failed reply carries, and streams again', () => {
  const r: UiMessage = {
    ...reply('partial', { error: crashed, stopped: true, finishReason: 'stop', reasoningMs: 5 }),
    reasoning: 'thinking',
  };
  expect({ ...r, ...freshReply() }).toEqual({ ...newMessage('assistant', '', true), id: r.id });
});
