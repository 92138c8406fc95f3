import { create } from 'zustand';

export type View =
  | 'chat'
  | 'model'
  | 'monitor'
  | 'hardware'
  | 'logs'
  | 'settings'
  | 'models'
  | 'library'
  | 'downloads'
  | 'quants'
  | 'backends'
  | 'wizard';

interface UiState {
  view: View;
  /**
   * The conversation the chat page shows (`#/chat/<id>`); null: a new, empty chat (created in the core when its first
   * message is sent). The page URL follows both (renderer/src/lib/route.ts keeps them in step with the hash).
   */
  conversationId: string | null;
  /**
   * A message to bring into view once the conversation is shown (a search hit); the chat page scrolls to it and
   * clears it (clearFocus). Not part of the URL: Back should not scroll the thread again.
   */
  focusMessageId: string | null;
  /**
   * The model the Quantizations page (`#/quants`) compares; null: the running model (or the first in the library).
   * The library's "Quantizations" button sets it, then shows the page. Not part of the URL (a path is no URL part).
   */
  quantsModelPath: string | null;
  setQuantsModelPath: (path: string | null) => void;
  setView: (view: View) => void;
  /**
   * The user picked a page (the sidebar), even the one already shown: the first status then leaves the page alone
   * (App.tsx would otherwise show the chat when a model is already running).
   */
  picked: boolean;
  pickView: (view: View) => void;
  /** Shows the chat page with that conversation (null: a new chat), optionally scrolled to one of its messages. */
  openConversation: (id: string | null, focusMessageId?: string | null) => void;
  clearFocus: () => void;
}

export const useUi = create<UiState>()((set) => ({
  view: 'model',
  conversationId: null,
  focusMessageId: null,
  quantsModelPath: null,
  setQuantsModelPath: (quantsModelPath) => set({ quantsModelPath }),
  setView: (view) => set({ view }),
  picked: false,
  pickView: (view) => set({ view, picked: true }),
  openConversation: (conversationId, focusMessageId = null) => set({ view: 'chat', conversationId, focusMessageId }),
  clearFocus: () => set({ focusMessageId: null }),
}));
