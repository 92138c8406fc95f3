/**
 * Where chart canvases are drawn: in one shared worker through OffscreenCanvas when the browser allows it,
 * otherwise on the main thread. If the worker fails to start, every chart falls back (their canvases were handed
 * to the worker and cannot be drawn here any more, so the charts remount theirs: `usePainterEpoch` changes).
 */
import { useSyncExternalStore } from 'react';
import { paint, type PaintJob } from './draw';
import type { WorkerMessage } from './chart-worker';

let worker: Worker | null = null;
let failed =
  typeof OffscreenCanvas === 'undefined' ||
  typeof HTMLCanvasElement === 'undefined' ||
  !('transferControlToOffscreen' in HTMLCanvasElement.prototype);
let epoch = 0;
const epochListeners = new Set<() => void>();
let nextId = 1;
/** A canvas can be transferred only once (StrictMode mounts twice): remember which ones went to the worker. */
const attached = new WeakMap<HTMLCanvasElement, number>();
/** Jobs of one tick go to the worker in one message (each postMessage has a fixed cost on the main thread). */
const pending = new Map<number, PaintJob>();
let flushQueued = false;

function flush() {
  flushQueued = false;
  if (pending.size === 0) return;
  const jobs = [...pending];
  pending.clear();
  worker?.postMessage({ type: 'draw', jobs } satisfies WorkerMessage);
}

function fail() {
  if (failed) return;
  failed = true;
  worker?.terminate();
  worker = null;
  epoch++;
  for (const l of [...epochListeners]) l();
}

function getWorker(): Worker | null {
  if (failed) return null;
  if (!worker) {
    try {
      worker = new Worker(new URL('./chart-worker.ts', import.meta.url), { type: 'module', name: 'charts' });
      worker.addEventListener('error', fail);
    } catch {
      fail();
    }
  }
  return worker;
}

export interface Painter {
  paint(job: PaintJob): void;
  release(): void;
}

/** Binds a canvas element to the worker (or to the main thread) and returns how to draw on it. */
export function painterFor(canvas: HTMLCanvasElement): Painter {
  const w = getWorker();
  if (!w) return { paint: (job) => paint(canvas, job), release: () => undefined };
  let id = attached.get(canvas);
  if (id === undefined) {
    id = nextId++;
    attached.set(canvas, id);
    const offscreen = canvas.transferControlToOffscreen();
    w.postMessage({ type: 'attach', id, canvas: offscreen } satisfies WorkerMessage, [offscreen]);
  }
  const key = id;
  return {
    paint: (job) => {
      pending.set(key, job);
      if (!flushQueued) {
        flushQueued = true;
        queueMicrotask(flush);
      }
    },
    // StrictMode unmounts and mounts again with the same element: only a canvas that left the page is dropped.
    release: () =>
      setTimeout(() => {
        if (!canvas.isConnected) {
          attached.delete(canvas);
          worker?.postMessage({ type: 'detach', id: key } satisfies WorkerMessage);
        }
      }, 0),
  };
}

const subscribe = (l: () => void) => {
  epochListeners.add(l);
  return () => epochListeners.delete(l);
};
/** Changes when drawing moves from the worker to the main thread: use it as the canvas' key. */
export const usePainterEpoch = () => useSyncExternalStore(subscribe, () => epoch);
