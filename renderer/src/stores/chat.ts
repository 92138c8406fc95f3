/**
 * The conversation on screen. Finished turns are saved through the core (`conversations.save`); the list of saved
 * conversations is server state (TanStack Query), not kept here.
 */
import { create } from 'zustand';
import type { ErrorInfo } from '@shared/errors';
import type { ChatTimings } from '@shared/schemas';

export interface UiMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  reasoning: string;
  streaming: boolean;
  stopped: boolean;
  error: ErrorInfo | null;
  timings: ChatTimings | null;
  finishReason: string | null;
  /** Client-measured thinking time: first reasoning delta to first answer delta (or end). */
  reasoningMs: number | null;
}

interface ChatState {
  /** Identity of the conversation on screen; a new chat gets a new one. */
  conversationId: string;
  createdAt: number;
  messages: UiMessage[];
  draft: string;
  activeRequestId: string | null;
  setDraft: (draft: string) => void;
  push: (m: UiMessage) => void;
  patch: (id: string, f: (m: UiMessage) => Partial<UiMessage>) => void;
  setActive: (requestId: string | null) => void;
  clear: () => void;
  /** Shows a saved conversation. */
  load: (id: string, createdAt: number, messages: UiMessage[]) => void;
}

export const newConversationId = () => `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export const useChat = create<ChatState>()((set) => ({
  conversationId: newConversationId(),
  createdAt: Date.now(),
  messages: [],
  draft: '',
  activeRequestId: null,
  setDraft: (draft) => set({ draft }),
  push: (m) => set((s) => ({ messages: [...s.messages, m] })),
  patch: (id, f) => set((s) => ({ messages: s.messages.map((m) => (m.id === id ? { ...m, ...f(m) } : m)) })),
  setActive: (activeRequestId) => set({ activeRequestId }),
  clear: () => set({ messages: [], activeRequestId: null, conversationId: newConversationId(), createdAt: Date.now() }),
  load: (conversationId, createdAt, messages) =>
    set({ conversationId, createdAt, messages, activeRequestId: null, draft: '' }),
}));

let seq = 0;
export const newMessage = (role: UiMessage['role'], content = '', streaming = false): UiMessage => ({
  id: `m${++seq}`,
  role,
  content,
  reasoning: '',
  streaming,
  stopped: false,
  error: null,
  timings: null,
  finishReason: null,
  reasoningMs: null,
});
