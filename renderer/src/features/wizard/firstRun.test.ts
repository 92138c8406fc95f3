import { describe, expect, it } from 'vitest';

// firstRun.ts subscribes to the UI store at import; the store itself is plain zustand and needs no DOM.
const { shouldOpenWizard } = await import('./firstRun');

const base = { flag: 'pending', navigated: false, libraryCount: 0, jobCount: 0, backendState: 'stopped' } as const;

describe('shouldOpenWizard', () => {
  it('opens on a first run with nothing installed', () => expect(shouldOpenWizard(base)).toBe(true));
  it.each([
    ['finished before', { flag: 'done' as const }],
    ['skipped before', { flag: 'dismissed' as const }],
    // The user clicked somewhere before the data arrived: never pull the page away.
    ['user navigated', { navigated: true }],
    ['a model is installed', { libraryCount: 1 }],
    ['a download exists', { jobCount: 1 }],
    ['a model is running', { backendState: 'ready' }],
    ['a model is loading', { backendState: 'loading' }],
  ])('stays closed when %s', (_why, over) => expect(shouldOpenWizard({ ...base, ...over })).toBe(false));
});
