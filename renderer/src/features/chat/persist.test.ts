import { describe, expect, it } from 'vitest';
import { newMessage } from '../../stores/chat';
import { fromStored, titleFor, toConversation, toStored } from './persist';

describe('conversation persistence mapping', () => {
  it('titles a conversation by its first user message, collapsed and cut', () => {
    expect(titleFor([newMessage('user', '  hello\n\nworld ')])).toBe('hello world');
    expect(titleFor([newMessage('user', 'x'.repeat(100))])).toHaveLength(60);
    expect(titleFor([])).toBe('');
  });

  it('round-trips a finished reply with its reasoning, stats and stop mark', () => {
    const m = {
      ...newMessage('assistant', 'answer'),
      reasoning: 'think',
      stopped: true,
      reasoningMs: 1200,
      finishReason: 'cancelled',
      timings: { promptTokens: 3, promptMs: 1, predictedTokens: 9, predictedMs: 20, tokensPerSecond: 450, ttftMs: 12 },
    };
    const back = fromStored(toStored(m));
    expect({ ...back, id: m.id }).toEqual(m);
  });

  it('never saves a reply that is still streaming', () => {
    const c = toConversation({
      id: 'c1',
      createdAt: 1,
      now: 2,
      model: 'M',
      messages: [newMessage('user', 'q'), newMessage('assistant', 'partial', true)],
    });
    expect(c.messages).toHaveLength(1);
    expect(c).toMatchObject({ id: 'c1', createdAt: 1, updatedAt: 2, model: 'M', title: 'q' });
  });
});
