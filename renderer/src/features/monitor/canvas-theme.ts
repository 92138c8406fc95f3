/**
 * What the canvases of a TimeChart need from the page: the theme's colours, resolved to values (a canvas cannot
 * take CSS variables), and a painter bound to each canvas.
 */
import { useLayoutEffect, useRef, useSyncExternalStore, type RefObject } from 'react';
import { painterFor, type Painter } from './painter';

let theme = '';
const themeListeners = new Set<() => void>();
let themeObserver: MutationObserver | null = null;
/** html[data-theme], read once per change (one observer for all charts), so canvases redraw in the new colours. */
const subscribeTheme = (cb: () => void) => {
  if (!themeObserver) {
    theme = document.documentElement.dataset.theme ?? '';
    themeObserver = new MutationObserver(() => {
      theme = document.documentElement.dataset.theme ?? '';
      for (const l of [...themeListeners]) l();
    });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  }
  themeListeners.add(cb);
  return () => themeListeners.delete(cb);
};
export const useTheme = () => useSyncExternalStore(subscribeTheme, () => theme);

/**
 * `var(--chart-vram)` → the colour it resolves to in the current theme (a canvas cannot take CSS variables).
 * Cached per theme: getComputedStyle on every tick would recalculate style after each commit.
 */
const colorCache = new Map<string, string>();
export function resolveColor(themeKey: string, color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color);
  if (!m) return color;
  const key = `${themeKey}|${m[1]}`;
  let c = colorCache.get(key);
  if (c === undefined) {
    c = getComputedStyle(document.documentElement).getPropertyValue(m[1]!).trim() || '#888';
    colorCache.set(key, c);
  }
  return c;
}

/** A canvas bound to the painter (worker or main thread); remounted when the painter falls back (epoch). */
export function usePainter(canvas: RefObject<HTMLCanvasElement | null>, epoch: number) {
  const painter = useRef<Painter | null>(null);
  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const p = painterFor(el);
    painter.current = p;
    return () => {
      painter.current = null;
      p.release();
    };
  }, [canvas, epoch]);
  return painter;
}
