/**
 * When the setup wizard opens by itself: the first time the app is opened with nothing in the library, nothing
 * running or downloading, and the user has neither finished nor skipped it. Finishing or skipping is a setting
 * (`setupWizard`), so the desktop window and every browser on the headless server agree.
 */
import { useCallback, useEffect, useRef } from 'react';
import type { SetupWizardState } from '@shared/schemas';
import { useBackendStatus, useSettings, useUpdateSettings } from '../../api/queries';
import { useUi } from '../../stores/ui';
import { useDownloads, useLibrary } from '../models/queries';

/** Records that the wizard was finished or skipped. */
export function useSetWizardFlag(): (v: Exclude<SetupWizardState, 'pending'>) => void {
  const update = useUpdateSettings();
  const { mutate } = update;
  return useCallback((v) => mutate({ setupWizard: v }), [mutate]);
}

// Any navigation (even to the page already shown) before the data arrives means the user has started doing
// something: the wizard must not take the page away from under their click.
let navigated = false;
useUi.subscribe(() => {
  navigated = true;
});

/** Pure: should the wizard open now? */
export function shouldOpenWizard(v: {
  flag: SetupWizardState;
  navigated: boolean;
  libraryCount: number;
  jobCount: number;
  backendState: string;
}): boolean {
  return (
    v.flag === 'pending' &&
    !v.navigated &&
    v.libraryCount === 0 &&
    v.jobCount === 0 &&
    (v.backendState === 'stopped' || v.backendState === 'crashed')
  );
}

/** Mounted once at the root. Decides once, when library, downloads and status are known. */
/** Where earlier versions kept the flag (this origin's localStorage); carried over into settings once. */
function legacyFlag(): Exclude<SetupWizardState, 'pending'> | null {
  try {
    const v = localStorage.getItem('deeplocal.setupWizard');
    return v === 'done' || v === 'dismissed' ? v : null;
  } catch {
    return null;
  }
}

export function useFirstRun() {
  const { data: library } = useLibrary();
  const { data: jobs } = useDownloads();
  const { data: status } = useBackendStatus();
  const { data: settings } = useSettings();
  const setFlag = useSetWizardFlag();
  const decided = useRef(false);
  useEffect(() => {
    if (decided.current || !library || !jobs || !status || !settings) return;
    decided.current = true;
    const legacy = settings.setupWizard === 'pending' ? legacyFlag() : null;
    if (legacy) setFlag(legacy);
    const flag = legacy ?? settings.setupWizard;
    if (
      shouldOpenWizard({
        flag,
        navigated,
        libraryCount: library.length,
        jobCount: jobs.length,
        backendState: status.state,
      })
    ) {
      useUi.getState().setView('wizard');
    }
  }, [library, jobs, status, settings, setFlag]);
}
