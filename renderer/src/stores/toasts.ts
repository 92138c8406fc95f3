/** Toasts on screen (UI state only). Each holds the alert itself, so its text follows a language switch. */
import { create } from 'zustand';
import type { Alert } from '@shared/telemetry';
import type { LiveKey } from '../lib/useLiveText';

/**
 * A toast that is not a hardware alert: a translated `live` message (kept as its key, so it follows a language
 * switch), optionally with one action (Undo).
 */
export interface ToastNote {
  level: Alert['level'];
  /** For tests and styling (data-kind), like an alert's kind. */
  kind: string;
  text: LiveKey;
  params?: Record<string, string | number>;
  action?: { label: LiveKey; run: () => void };
}

export type Toast =
  { key: number; alert: Alert; note?: undefined } | { key: number; alert?: undefined; note: ToastNote };

/** More than this at once is noise: the oldest goes (the event log keeps them all). */
const MAX_TOASTS = 4;
let nextKey = 1;

interface ToastState {
  toasts: Toast[];
  push: (alert: Alert) => void;
  /** Shows a note; returns its key (to dismiss it early). */
  notify: (note: ToastNote) => number;
  dismiss: (key: number) => void;
}

export const useToasts = create<ToastState>()((set) => ({
  toasts: [],
  push: (alert) => set((s) => ({ toasts: [...s.toasts, { key: nextKey++, alert }].slice(-MAX_TOASTS) })),
  notify: (note) => {
    const key = nextKey++;
    set((s) => ({ toasts: [...s.toasts, { key, note }].slice(-MAX_TOASTS) }));
    return key;
  },
  dismiss: (key) => set((s) => ({ toasts: s.toasts.filter((t) => t.key !== key) })),
}));
