/**
 * When the setup wizard opens by itself: the first time the app is opened with nothing in the library, nothing
 * running or downloading, and the user has neither finished nor skipped it. The core has no setting for this yet,
 * so the flag lives in this origin's localStorage (the Electron window keeps it across runs).
 */
import { useEffect, useRef } from 'react';
import { useBackendStatus } from '../../api/queries';
import { useUi } from '../../stores/ui';
import { useDownloads, useLibrary } from '../models/queries';

const FLAG = 'deeplocal.setupWizard';
export type WizardFlag = 'done' | 'dismissed';

export function wizardFlag(): WizardFlag | null {
  try {
    const v = localStorage.getItem(FLAG);
    return v === 'done' || v === 'dismissed' ? v : null;
  } catch {
    return null;
  }
}

export function setWizardFlag(v: WizardFlag) {
  try {
    localStorage.setItem(FLAG, v);
  } catch {
    // Private mode or storage disabled: the wizard may show again next time, which is harmless.
  }
}

// Any navigation (even to the page already shown) before the data arrives means the user has started doing
// something: the wizard must not take the page away from under their click.
let navigated = false;
useUi.subscribe(() => {
  navigated = true;
});

/** Pure: should the wizard open now? */
export function shouldOpenWizard(v: { flag: WizardFlag | null; navigated: boolean; libraryCount: number; jobCount: number; backendState: string }): boolean {
  return v.flag === null && !v.navigated && v.libraryCount === 0 && v.jobCount === 0 && (v.backendState === 'stopped' || v.backendState === 'crashed');
}

/** Mounted once at the root. Decides once, when library, downloads and status are known. */
export function useFirstRun() {
  const { data: library } = useLibrary();
  const { data: jobs } = useDownloads();
  const { data: status } = useBackendStatus();
  const decided = useRef(false);
  useEffect(() => {
    if (decided.current || !library || !jobs || !status) return;
    decided.current = true;
    if (shouldOpenWizard({ flag: wizardFlag(), navigated, libraryCount: library.length, jobCount: jobs.length, backendState: status.state })) {
      useUi.getState().setView('wizard');
    }
  }, [library, jobs, status]);
}
