import { create } from 'zustand';
import type { LoadOptions } from '@shared/schemas';

/** What the user is editing on the Model page; kept across page switches. */
interface ModelFormState {
  path: string;
  /** The path last committed (blur, Browse, a recent model): what `models.inspect` looks at. */
  inspectPath: string;
  /** null until edited: the form shows the saved defaults from settings. */
  options: LoadOptions | null;
  setPath: (path: string) => void;
  commitPath: (path: string) => void;
  setOptions: (options: LoadOptions) => void;
}

export const useModelForm = create<ModelFormState>()((set) => ({
  path: '',
  inspectPath: '',
  options: null,
  setPath: (path) => set({ path }),
  commitPath: (path) => set({ path, inspectPath: path.trim() }),
  setOptions: (options) => set({ options }),
}));
