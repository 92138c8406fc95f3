/** Monitor page view state (UI only): the time window, the GPU shown, and the frozen view while paused. */
import { create } from 'zustand';
import type { TelemetrySample } from '@shared/telemetry';

export const WINDOWS = [60, 300, 600] as const;
export type WindowSeconds = (typeof WINDOWS)[number];

interface MonitorState {
  windowSeconds: WindowSeconds;
  /** Chosen GPU index; null = the first one present. */
  gpu: number | null;
  /** While paused, the samples as they were (the live buffer keeps growing underneath). */
  frozen: readonly TelemetrySample[] | null;
  setWindow: (w: WindowSeconds) => void;
  setGpu: (gpu: number) => void;
  pause: (samples: readonly TelemetrySample[]) => void;
  resume: () => void;
}

export const useMonitor = create<MonitorState>()((set) => ({
  windowSeconds: 300,
  gpu: null,
  frozen: null,
  setWindow: (windowSeconds) => set({ windowSeconds }),
  setGpu: (gpu) => set({ gpu }),
  pause: (samples) => set({ frozen: samples }),
  resume: () => set({ frozen: null }),
}));
