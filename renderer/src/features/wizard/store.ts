import { create } from 'zustand';
import type { HubSettings } from '@shared/models';

export const STEPS = ['hardware', 'model', 'mirror', 'download', 'start'] as const;
export type WizardStep = (typeof STEPS)[number];

/** Where the user is in the setup wizard; kept across page switches so a download can run while they look around. */
interface WizardState {
  step: WizardStep;
  /** null = the planner's recommendation. */
  modelId: string | null;
  quant: string | null;
  /** null until the mirror step: settings decide. */
  endpoint: HubSettings['endpoint'] | null;
  jobId: string | null;
  go: (step: WizardStep) => void;
  choose: (modelId: string, quant: string | null) => void;
  setEndpoint: (endpoint: HubSettings['endpoint']) => void;
  setJob: (jobId: string | null) => void;
  reset: () => void;
}

const initial = { step: 'hardware' as WizardStep, modelId: null, quant: null, endpoint: null, jobId: null };

export const useWizard = create<WizardState>()((set) => ({
  ...initial,
  go: (step) => set({ step }),
  choose: (modelId, quant) => set({ modelId, quant, jobId: null }),
  setEndpoint: (endpoint) => set({ endpoint }),
  setJob: (jobId) => set({ jobId }),
  reset: () => set(initial),
}));
