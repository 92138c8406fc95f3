/**
 * One HTTP Range request for the rest of a segment, its body written into the partial file as it arrives. What the
 * reply means is decided in range-response.ts; a request that ends early throws what the retry policy needs to know.
 *
 * Network chunks are small (tens of KiB): they are copied into 1 MiB blocks, and blocks are written without waiting
 * for each write before reading on (up to 2 in flight), so the socket and the disk work at the same time. Completions
 * are handled in file order: only then are bytes hashed and counted as done, so the sidecar never claims bytes that
 * are not in the file.
 */
import type { AppError } from '../../shared/errors';
import type { Fetch } from './hubs';
import type { OrderedHasher } from './ordered-hasher';
import type { PartialFile } from './partial-file';
import { classifyRangeResponse } from './range-response';
import type { Failure } from './retry';
import type { Segment } from './sidecar';
import type { DownloadSource } from './sources';

export const BLOCK_BYTES = 1 << 20;
const MAX_WRITES_IN_FLIGHT = 2;

/** The request ended early in a way another try may fix (see retry.ts). */
export class RangeFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind === 'error' ? failure.reason : failure.kind);
  }
}

/** This endpoint cannot serve this file (404, auth, another size, no Range support). */
export class SourceUnusable extends Error {
  constructor(readonly err: AppError) {
    super(err.message);
  }
}

/** Writing failed (ENOSPC …): the whole download stops. */
export class WriteFailed extends Error {
  constructor(readonly err: AppError) {
    super(err.message);
  }
}

export interface RangeFetchContext {
  fetch: Fetch;
  userAgent: string;
  stallMs: number;
  /** Pause, cancel, or another segment's fatal error. */
  stop: AbortSignal;
  /** The file: its path in the repo and size (for the checks and messages), and `${hub}:${repo}`. */
  label: string;
  size: number;
  note: string | undefined;
  file: PartialFile;
  hasher: OrderedHasher;
  /** A spare 1 MiB block (handed back by the hash thread), if there is one. */
  spareBlock(): Buffer | undefined;
  /** Bytes arrived from the network. */
  onFetched(n: number): void;
  /** Bytes written, hashed and added to `seg.done`, in file order. */
  onWritten(n: number): void;
  /** A failed write as the error the download ends with. */
  writeError(e: unknown): Promise<AppError>;
}

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

/** One request for the rest of `seg`; returns when the body ends (possibly short of the segment's end). */
export async function fetchRange(seg: Segment, src: DownloadSource, c: RangeFetchContext): Promise<void> {
  const from = seg.start + seg.done;
  const to = seg.end - 1;
  const ac = new AbortController();
  const onStop = () => ac.abort(c.stop.reason);
  c.stop.addEventListener('abort', onStop, { once: true });
  let stallTimer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => ac.abort(new RangeFailure({ kind: 'stall' })), c.stallMs);
  };
  const disarm = () => clearTimeout(stallTimer);
  // A request aborted by the stall timer rejects with an AbortError: what counts is why it was aborted.
  const stalledOr = (e: unknown) => (ac.signal.reason instanceof RangeFailure ? ac.signal.reason : e);
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let finished = false;
  let pos = from;
  try {
    arm();
    let res: Response;
    try {
      res = await c.fetch(src.url, {
        headers: { range: `bytes=${from}-${to}`, 'accept-encoding': 'identity', 'user-agent': c.userAgent },
        signal: ac.signal,
        redirect: 'follow',
      });
    } catch (e) {
      throw stalledOr(e);
    }
    const verdict = classifyRangeResponse(res.status, res.headers, {
      from,
      to,
      size: c.size,
      label: c.label,
      endpoint: src.endpoint.url,
      repo: c.note ?? '',
    });
    if (verdict.kind !== 'read') {
      await res.body?.cancel().catch(() => undefined);
      throw verdict.kind === 'unusable' ? new SourceUnusable(verdict.error) : new RangeFailure(verdict);
    }
    const limit = verdict.limit;
    if (!res.body) throw new RangeFailure({ kind: 'error', reason: 'no body' });
    reader = res.body.getReader();
    const { hasher } = c;
    let block: Buffer | null = null;
    let fill = 0;
    let blockPos = from;
    let chain: Promise<void> = Promise.resolve();
    const inflight: Promise<void>[] = [];
    const flush = () => {
      if (!block || fill === 0) return;
      const data = block.subarray(0, fill);
      const at = blockPos;
      block = null;
      fill = 0;
      blockPos += data.length;
      const write = c.file.write(data, at);
      const n = data.length;
      chain = Promise.all([chain, write]).then(
        () => {
          // The hash thread takes the buffer (transfer): `data` is empty after this line.
          hasher.push(at, data);
          seg.done += n;
          c.onWritten(n);
        },
        async (e) => {
          throw e instanceof WriteFailed || !(e as NodeJS.ErrnoException)?.code
            ? e
            : new WriteFailed(await c.writeError(e));
        },
      );
      // Marks the rejection as handled; whoever drains it still sees it.
      chain.catch(() => undefined);
      inflight.push(chain);
    };
    const drain = async (max: number) => {
      while (inflight.length > max) await inflight.shift();
    };
    try {
      while (pos <= limit) {
        while (hasher.shouldWait(seg.start, seg.end)) {
          // Waiting for the hash to catch up is not a stall.
          disarm();
          flush();
          await drain(0);
          await Promise.race([
            hasher.waitForRoom(),
            new Promise((_, rej) =>
              ac.signal.aborted
                ? rej(ac.signal.reason)
                : ac.signal.addEventListener('abort', () => rej(ac.signal.reason), { once: true }),
            ),
          ]);
          arm();
        }
        let r: ReadResult;
        try {
          r = await reader.read();
        } catch (e) {
          throw stalledOr(e);
        }
        if (r.done) {
          finished = true;
          break;
        }
        arm();
        let chunk = r.value;
        if (pos + chunk.length > limit + 1) chunk = chunk.subarray(0, limit + 1 - pos);
        c.onFetched(chunk.length);
        for (let off = 0; off < chunk.length;) {
          if (!block) {
            const want = Math.min(BLOCK_BYTES, limit + 1 - blockPos);
            block = (want === BLOCK_BYTES ? c.spareBlock() : undefined) ?? Buffer.allocUnsafe(want);
          }
          const n = Math.min(chunk.length - off, block.length - fill);
          block.set(chunk.subarray(off, off + n), fill);
          fill += n;
          off += n;
          if (fill === block.length) {
            flush();
            await drain(MAX_WRITES_IN_FLIGHT - 1);
          }
        }
        pos += chunk.length;
      }
      flush();
      await drain(0);
    } catch (e) {
      // Bytes that arrived before a drop or a stall are good: keep them.
      if (!(e instanceof WriteFailed)) {
        flush();
        // A failed write (ENOSPC) outranks the network error that ended the response.
        await drain(0);
      }
      throw e;
    }
    if (!finished && pos > limit) {
      // Read the end of a complete body so the connection can be reused for the next segment.
      const r = await reader.read().catch(() => null);
      if (r?.done) finished = true;
    }
  } finally {
    disarm();
    c.stop.removeEventListener('abort', onStop);
    if (reader && !finished) {
      // Frees the connection; a stalled or surplus body is abandoned.
      ac.abort(new Error('done'));
      await reader.cancel().catch(() => undefined);
    }
  }
}
