/**
 * Draws the Monitor's series off the main thread. Without a GPU, Chromium rasterises a 2D canvas on the thread
 * that draws it: doing it here keeps a tick's main-thread work to React and the frame (scripts/bench/chart-tick).
 */
import { paint, type PaintJob } from './draw';

export type WorkerMessage =
  | { type: 'attach'; id: number; canvas: OffscreenCanvas }
  | { type: 'draw'; jobs: [id: number, job: PaintJob][] }
  | { type: 'detach'; id: number };

const canvases = new Map<number, OffscreenCanvas>();
const scope = self as unknown as { onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null };

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'attach') canvases.set(m.id, m.canvas);
  else if (m.type === 'detach') canvases.delete(m.id);
  else
    for (const [id, job] of m.jobs) {
      const c = canvases.get(id);
      if (c) paint(c, job);
    }
};
