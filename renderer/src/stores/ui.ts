import { create } from 'zustand';

export type View =
  'chat' | 'model' | 'monitor' | 'hardware' | 'logs' | 'settings' | 'models' | 'library' | 'downloads' | 'wizard';

interface UiState {
  view: View;
  /**
   * The conversation the chat page shows (`#/chat/<id>`); null: a new, empty chat (created in the core when its first
   * message is sent). The page URL follows both (renderer/src/lib/route.ts keeps them in step with the hash).
   */
  conversationId: string | null;
  setView: (view: View) => void;
  /** Shows the chat page with that conversation (null: a new chat). */
  openConversation: (id: string | null) => void;
}

export const useUi = create<UiState>()((set) => ({
  view: 'model',
  conversationId: null,
  setView: (view) => set({ view }),
  openConversation: (conversationId) => set({ view: 'chat', conversationId }),
}));
