import { create } from 'zustand';

export type View =
  'chat' | 'model' | 'monitor' | 'hardware' | 'logs' | 'settings' | 'models' | 'library' | 'downloads' | 'wizard';

interface UiState {
  view: View;
  setView: (view: View) => void;
}

export const useUi = create<UiState>()((set) => ({
  view: 'model',
  setView: (view) => set({ view }),
}));
