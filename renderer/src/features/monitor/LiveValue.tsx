import { useLayoutEffect, useRef, useState } from 'react';
import { resolveColor, usePainter } from './canvas-theme';

/** A piece of the live value in the card's head: "<b>18.7</b> / 24 GiB" is three. */
export interface ValuePart {
  text: string;
  bold?: boolean;
  danger?: boolean;
}

let fontFamily: string | null = null;

/**
 * The live value in the card's head, drawn on a canvas by the same painter as the series. Text that changes every
 * tick makes the browser run style, layout, paint and a compositor commit on the main thread for the whole page;
 * a canvas drawn by the worker costs the main thread nothing. Screen readers get the text as the label.
 */
export function LiveValue({
  parts,
  themeKey,
  epoch,
}: {
  parts: readonly ValuePart[];
  themeKey: string;
  epoch: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const painter = usePainter(canvas, epoch);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const label = parts.map((x) => x.text).join('');
  const key = parts.map((x) => `${x.bold ? 'b' : ''}${x.danger ? 'd' : ''}:${x.text}`).join('|');

  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    fontFamily ??= getComputedStyle(el).fontFamily;
    const ro = new ResizeObserver(([e]) => e && setSize({ w: e.contentRect.width, h: e.contentRect.height }));
    ro.observe(el);
    return () => ro.disconnect();
  }, [epoch]);

  useLayoutEffect(() => {
    if (!painter.current || !size || size.w === 0) return;
    painter.current.paint({
      type: 'text',
      width: size.w,
      height: size.h,
      dpr: window.devicePixelRatio || 1,
      family: fontFamily ?? 'sans-serif',
      parts: parts.map((x) => ({
        text: x.text,
        bold: x.bold,
        color: resolveColor(themeKey, x.danger ? 'var(--danger)' : x.bold ? 'var(--text)' : 'var(--text-2)'),
      })),
    });
    // `key` stands for `parts` (a new array every render, the same text most of the time).
  }, [key, size, themeKey, epoch]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <canvas key={epoch} ref={canvas} className="chart-now" role="img" aria-label={label} data-testid="chart-value" />
  );
}
