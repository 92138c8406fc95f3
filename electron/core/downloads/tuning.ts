/**
 * The downloader's knobs, in one place: the defaults suit a home link to a hub's CDN; tests and DEEPLOCAL_DL_* (see
 * compose/models.ts) shrink them. Data only, so the pure policies (retry.ts, ramp.ts) and the I/O read the same values.
 */

export interface DownloadTuning {
  /** The most connections (segments fetched at once). */
  connections: number;
  /**
   * Connections open one at a time, every `rampEveryMs`, while each brings less than this (bytes/s): a link where one
   * connection is already this fast (a LAN mirror, loopback) gains nothing from more, which would only compete for the
   * CPU and leave more bytes in flight (lost to a kill). null opens them all at once.
   */
  enoughPerConnection: number | null;
  rampEveryMs: number;
  segmentBytes: number;
  /** Bytes of later segments held in memory for the hash; null = see hashWindowBytes. */
  windowBytes: number | null;
  /** A response silent this long is aborted and asked again at once (not counted as a failure, see maxStalls). */
  stallMs: number;
  /** Failures in a row (without progress) per segment before the download fails. */
  maxRetries: number;
  /** Failures in a row before moving to the next endpoint. */
  failoverAfter: number;
  /** Silent responses in a row that count as one failure (so a dead mirror is still left). */
  maxStalls: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** The longest Retry-After a 429/503 may make us wait. */
  maxRetryAfterMs: number;
  /** Write the sidecar at least this often while bytes arrive. */
  checkpointMs: number;
  /** Write the sidecar after this many new bytes; null = see checkpointEveryBytes. */
  checkpointBytes: number | null;
}

export const DEFAULT_TUNING: DownloadTuning = {
  connections: 4,
  enoughPerConnection: 200e6,
  rampEveryMs: 1000,
  segmentBytes: 32 << 20,
  windowBytes: null,
  stallMs: 30_000,
  maxRetries: 8,
  failoverAfter: 3,
  maxStalls: 5,
  backoffBaseMs: 1000,
  backoffMaxMs: 30_000,
  maxRetryAfterMs: 5 * 60_000,
  checkpointMs: 1000,
  checkpointBytes: null,
};

/** Bytes of later segments the hash holds in memory: by default one segment per other connection, at least one. */
export function hashWindowBytes(t: Pick<DownloadTuning, 'windowBytes' | 'connections'>, segmentBytes: number): number {
  return t.windowBytes ?? Math.max(segmentBytes, (t.connections - 1) * segmentBytes);
}

/** New bytes between two sidecar writes. What a kill can lose is what arrived since the last one: well under a segment. */
export function checkpointEveryBytes(t: Pick<DownloadTuning, 'checkpointBytes'>, segmentBytes: number): number {
  return t.checkpointBytes ?? Math.max(256 * 1024, Math.min(2 << 20, Math.floor(segmentBytes / 8)));
}

/** Tuning from the environment (tests, the bench, and people on odd links): DEEPLOCAL_DL_*. */
export function tuningFromEnv(env: NodeJS.ProcessEnv): Partial<DownloadTuning> {
  const n = (k: string) => {
    const v = env[k];
    if (v === undefined || v === '') return undefined;
    const x = Number(v);
    return Number.isFinite(x) && x > 0 ? x : undefined;
  };
  const t: Partial<DownloadTuning> = {};
  const seg = n('DEEPLOCAL_DL_SEGMENT_BYTES');
  if (seg) t.segmentBytes = Math.floor(seg);
  const stall = n('DEEPLOCAL_DL_STALL_MS');
  if (stall) t.stallMs = stall;
  const conn = n('DEEPLOCAL_DL_CONNECTIONS');
  if (conn) t.connections = Math.floor(conn);
  const backoff = n('DEEPLOCAL_DL_BACKOFF_MS');
  if (backoff) t.backoffBaseMs = backoff;
  return t;
}
