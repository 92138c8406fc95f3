/** Toasts on screen (UI state only). Each holds the alert itself, so its text follows a language switch. */
import { create } from 'zustand';
import type { Alert } from '@shared/telemetry';

export interface Toast {
  key: number;
  alert: Alert;
}

/** More than this at once is noise: the oldest goes (the event log keeps them all). */
const MAX_TOASTS = 4;
let nextKey = 1;

interface ToastState {
  toasts: Toast[];
  push: (alert: Alert) => void;
  dismiss: (key: number) => void;
}

export const useToasts = create<ToastState>()((set) => ({
  toasts: [],
  push: (alert) => set((s) => ({ toasts: [...s.toasts, { key: nextKey++, alert }].slice(-MAX_TOASTS) })),
  dismiss: (key) => set((s) => ({ toasts: s.toasts.filter((t) => t.key !== key) })),
}));
