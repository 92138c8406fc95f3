import { describe, expect, it } from 'vitest';
import { newMessage } from '../../stores/chat';
import { historyFor } from './history';

describe('historyFor', () => {
  it('sends finished turns in order, without reasoning', () => {
    const a = { ...newMessage('assistant', 'Hi!'), reasoning: 'The user greets me.' };
    expect(historyFor([newMessage('user', 'Hello'), a])).toEqual([
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi!' },
    ]);
  });
  it('keeps a stopped reply (what the user saw), drops empty ones and joins the user turns that leaves adjacent', () => {
    const stopped = { ...newMessage('assistant', 'Partial'), stopped: true };
    const failed = { ...newMessage('assistant', ''), error: { code: 'CHAT_FAILED' as const, message: 'x' } };
    expect(
      historyFor([newMessage('user', 'a'), stopped, newMessage('user', 'b'), failed, newMessage('user', 'c')]),
    ).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'Partial' },
      { role: 'user', content: 'b\n\nc' },
    ]);
  });
});
