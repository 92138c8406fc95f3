import { useEffect, useSyncExternalStore } from 'react';
import type { Settings } from '@shared/schemas';

const query = '(prefers-color-scheme: dark)';
const subscribe = (cb: () => void) => {
  const m = matchMedia(query);
  m.addEventListener('change', cb);
  return () => m.removeEventListener('change', cb);
};
const systemDark = () => matchMedia(query).matches;

export function applyTheme(theme: 'light' | 'dark') {
  const root = document.documentElement;
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
}

/** Follows the theme setting, and the OS while it is "system". */
export function useTheme(setting: Settings['theme'] | undefined) {
  const dark = useSyncExternalStore(subscribe, systemDark);
  const theme = setting === 'light' || setting === 'dark' ? setting : dark ? 'dark' : 'light';
  useEffect(() => applyTheme(theme), [theme]);
  return theme;
}

/** Before the first render, so the window does not flash white in dark mode. */
export const applySystemTheme = () => applyTheme(systemDark() ? 'dark' : 'light');
