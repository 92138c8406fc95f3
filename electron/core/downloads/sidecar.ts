/**
 * The resume state of one file download: a JSON sidecar next to its `.partial` file, written atomically
 * (temp file + rename), so a killed app leaves either the previous state or the new one, never a torn one.
 *
 * Segments are fixed-size slices of the file; the state says which bytes of each are on disk. Segments are fetched
 * roughly in order, so it is stored compactly: every segment below `doneBelow` is complete, and `partial` maps the
 * index of each later segment that has bytes to how many (from its start). The sidecar only ever claims bytes whose
 * write has completed, so after a crash it under-claims at most what arrived since the last checkpoint.
 */
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write';
import { readRegularText } from '../util/regular-file';

export const SIDECAR_VERSION = 1;

export const SidecarState = z.object({
  version: z.literal(SIDECAR_VERSION),
  /** What the bytes must hash to; a sidecar for other content is ignored. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  segmentBytes: z.number().int().positive(),
  doneBelow: z.number().int().nonnegative(),
  partial: z.record(z.string().regex(/^\d+$/), z.number().int().nonnegative()),
  /** Set once the whole file hashed to sha256 and passed GGUF validation (a restart then skips straight to the move). */
  verified: z.boolean().default(false),
  /** For people reading the folder. */
  source: z.string().optional(),
  updatedAt: z.number(),
});
export type SidecarState = z.infer<typeof SidecarState>;

export interface Segment {
  index: number;
  start: number;
  /** Exclusive. */
  end: number;
  /** Bytes on disk from `start`. */
  done: number;
}

export const segmentCount = (size: number, segmentBytes: number) => (size === 0 ? 0 : Math.ceil(size / segmentBytes));

/** The segments of a file with their progress from a state (or all empty). */
export function segmentsOf(
  size: number,
  segmentBytes: number,
  state?: Pick<SidecarState, 'doneBelow' | 'partial'>,
): Segment[] {
  const n = segmentCount(size, segmentBytes);
  const out: Segment[] = [];
  for (let i = 0; i < n; i++) {
    const start = i * segmentBytes;
    const end = Math.min(size, start + segmentBytes);
    let done = 0;
    if (state) {
      if (i < state.doneBelow) done = end - start;
      else done = Math.min(end - start, Math.max(0, state.partial[String(i)] ?? 0));
    }
    out.push({ index: i, start, end, done });
  }
  return out;
}

/** Segment progress → the compact form. */
export function compact(segments: readonly Segment[]): Pick<SidecarState, 'doneBelow' | 'partial'> {
  let doneBelow = 0;
  while (
    doneBelow < segments.length &&
    segments[doneBelow]!.done >= segments[doneBelow]!.end - segments[doneBelow]!.start
  )
    doneBelow++;
  const partial: Record<string, number> = {};
  for (let i = doneBelow; i < segments.length; i++) if (segments[i]!.done > 0) partial[String(i)] = segments[i]!.done;
  return { doneBelow, partial };
}

export const bytesDone = (segments: readonly Segment[]) => segments.reduce((n, s) => n + s.done, 0);

/** Bytes on disk from the file's start without a gap: all a hash kept from a pause may cover (see ordered-hasher.ts). */
export function contiguousDone(segments: readonly Segment[]): number {
  let prefix = 0;
  for (const s of segments) {
    prefix = s.start + s.done;
    if (s.done < s.end - s.start) break;
  }
  return prefix;
}

/** Reads a sidecar; null when missing, unreadable, or for other content (different hash or size). */
export async function readSidecar(
  file: string,
  expect: { sha256: string; size: number },
): Promise<SidecarState | null> {
  let raw: string;
  try {
    // A sidecar is a few hundred bytes; anything else in its place (a pipe, a huge file) is no sidecar.
    raw = await readRegularText(file, 1 << 20);
  } catch {
    return null;
  }
  try {
    const s = SidecarState.parse(JSON.parse(raw));
    if (s.sha256 !== expect.sha256.toLowerCase() || s.size !== expect.size) return null;
    if (s.doneBelow > segmentCount(s.size, s.segmentBytes)) return null;
    return s;
  } catch {
    return null;
  }
}

/**
 * Writes the sidecar atomically. `durable` also fsyncs it (on pause, stop and failure); routine checkpoints skip the
 * fsync: a killed process loses nothing the kernel already has, and a power cut is caught by the final hash check.
 */
export async function writeSidecar(file: string, state: SidecarState, durable = false): Promise<void> {
  // 0o666 less the umask (fs.open's default); no mkdir: a download folder removed meanwhile fails the write instead
  // of coming back.
  await writeFileAtomic(file, JSON.stringify(state), 0o666, { durable, createDir: false });
}

/**
 * Writes the sidecar of a download while it runs: one write at a time (calls during a write become one write after
 * it), and none after `discard()`, when the files are being deleted. `bytesAtLastWrite` is what `received()` said when
 * the last write started, for deciding when the next is due.
 */
export class SidecarWriter {
  bytesAtLastWrite: number;
  private writing: Promise<void> | null = null;
  private again = false;
  private discarded = false;

  constructor(
    private readonly file: string,
    private state: SidecarState,
    /** The live segments (their `done` grows as bytes are written). */
    private readonly segments: readonly Segment[],
    private readonly received: () => number,
  ) {
    this.bytesAtLastWrite = received();
  }

  get busy(): boolean {
    return this.writing !== null;
  }

  async write(durable: boolean): Promise<void> {
    if (this.discarded) return;
    if (this.writing) {
      this.again = true;
      await this.writing;
      if (!durable && !this.again) return;
    }
    this.again = false;
    if (this.discarded) return;
    this.bytesAtLastWrite = this.received();
    this.state = { ...this.state, ...compact(this.segments), updatedAt: Date.now() };
    this.writing = writeSidecar(this.file, this.state, durable).finally(() => {
      this.writing = null;
    });
    await this.writing;
  }

  /** After the GGUF check: a restart then goes straight to the move. */
  async markVerified(): Promise<void> {
    this.state = { ...this.state, ...compact(this.segments), verified: true, updatedAt: Date.now() };
    await writeSidecar(this.file, this.state, true);
  }

  /** No write may land after this (the files are about to go); waits for one under way. */
  async discard(): Promise<void> {
    this.discarded = true;
    await this.writing?.catch(() => undefined);
  }
}
