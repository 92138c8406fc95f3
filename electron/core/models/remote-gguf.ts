/**
 * Reads a GGUF header over HTTP Range, before anything is downloaded: a ByteSource for gguf.ts that fetches a growing
 * prefix of the file (256 KiB, then doubling), so only the header (metadata, vocabulary, tensor infos) crosses the
 * network. Split models: every shard's header is read (tensor infos are spread over them).
 */
import { AppError } from '../../shared/errors';
import type { ModelFileInfo } from '../../shared/schemas';
import type { Fetch } from '../downloads/hubs';
import { parseContentRange } from '../downloads/http-headers';
import { fetchFailureReason } from '../util/fetch-failure';
import { GgufError, metaNumber, readGguf, type ByteSource, type GgufHeader } from './gguf';
import { ggufErrorToApp, summarize } from './inspect';

export const REMOTE_LIMITS = { initialBytes: 256 * 1024, maxHeaderBytes: 128 * 1024 * 1024, timeoutMs: 30_000 };

export class HttpRangeSource implements ByteSource {
  private buf = new Uint8Array(0);
  bytesFetched = 0;
  requests = 0;

  private constructor(
    readonly url: string,
    public size: number,
    private readonly fetchFn: Fetch,
    private readonly limits: typeof REMOTE_LIMITS,
  ) {}

  /** Opens a source; the first request also tells the size when it is not known. */
  static async open(
    url: string,
    fetchFn: Fetch,
    size: number | null = null,
    limits = REMOTE_LIMITS,
  ): Promise<HttpRangeSource> {
    const src = new HttpRangeSource(url, size ?? Number.MAX_SAFE_INTEGER, fetchFn, limits);
    await src.grow(limits.initialBytes);
    return src;
  }

  private async grow(wanted: number): Promise<void> {
    const have = this.buf.length;
    const end = Math.min(this.size, Math.max(wanted, have * 2, this.limits.initialBytes));
    if (end <= have) return;
    if (end > this.limits.maxHeaderBytes)
      throw new GgufError('corrupt', `header is larger than ${this.limits.maxHeaderBytes} bytes`);
    this.requests++;
    let res: Response;
    try {
      res = await this.fetchFn(this.url, {
        headers: { range: `bytes=${have}-${end - 1}`, 'accept-encoding': 'identity' },
        redirect: 'follow',
        signal: AbortSignal.timeout(this.limits.timeoutMs),
      });
    } catch (e) {
      throw new AppError('HUB_UNREACHABLE', {
        endpoint: new URL(this.url).origin,
        reason: fetchFailureReason(e),
      });
    }
    if (res.status === 404)
      throw new AppError('HUB_FILE_NOT_FOUND', {
        repo: new URL(this.url).pathname,
        file: this.url.split('/').pop() ?? this.url,
      });
    if (res.status === 416) {
      // Asked past the end: the file is smaller than the header claims.
      this.size = have;
      await res.body?.cancel().catch(() => undefined);
      return;
    }
    if (res.status !== 206 && res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new AppError('HUB_UNREACHABLE', { endpoint: new URL(this.url).origin, reason: `HTTP ${res.status}` });
    }
    let skip = 0;
    if (res.status === 206) {
      const cr = parseContentRange(res.headers.get('content-range'));
      if (!cr || cr.start !== have)
        throw new AppError('HUB_UNREACHABLE', { endpoint: new URL(this.url).origin, reason: 'bad Content-Range' });
      if (cr.total !== null) this.size = cr.total;
    } else {
      // No Range support: read the stream up to what we need and drop the rest.
      const cl = Number(res.headers.get('content-length'));
      if (Number.isSafeInteger(cl) && cl > 0) this.size = cl;
      skip = have;
    }
    const need = Math.min(end, this.size) - have;
    const parts: Uint8Array[] = [];
    let got = 0;
    const reader = res.body!.getReader();
    try {
      while (got < need) {
        const { done, value } = await reader.read();
        if (done) break;
        let v = value;
        if (skip > 0) {
          const s = Math.min(skip, v.length);
          skip -= s;
          v = v.subarray(s);
        }
        this.bytesFetched += value.length;
        if (got + v.length > need) v = v.subarray(0, need - got);
        parts.push(v);
        got += v.length;
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    const next = new Uint8Array(have + got);
    next.set(this.buf, 0);
    let o = have;
    for (const p of parts) {
      next.set(p, o);
      o += p.length;
    }
    this.buf = next;
    // A body shorter than asked for means the file ends there.
    if (got < need) this.size = have + got;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset + length > this.buf.length && this.buf.length < this.size) await this.grow(offset + length);
    return this.buf.subarray(offset, Math.min(offset + length, this.buf.length));
  }
}

export interface RemoteFile {
  url: string;
  /** From the hub listing, when known. */
  size: number | null;
  name: string;
}

export interface RemoteHeaders {
  headers: GgufHeader[];
  info: ModelFileInfo;
  bytesFetched: number;
}

/** Reads and validates the headers of all shards of a remote model; errors are the same typed ones as for local files. */
export async function inspectRemote(files: RemoteFile[], fetchFn: Fetch): Promise<RemoteHeaders> {
  const headers: GgufHeader[] = [];
  let bytes = 0;
  let total = 0;
  for (const f of files) {
    const src = await HttpRangeSource.open(f.url, fetchFn, f.size);
    try {
      headers.push(await readGguf(src));
    } catch (e) {
      if (e instanceof GgufError) throw ggufErrorToApp(f.name, e);
      throw e;
    } finally {
      bytes += src.bytesFetched;
    }
    total += src.size;
  }
  const first = headers[0];
  if (!first) throw new AppError('MODEL_NOT_GGUF', { path: files[0]?.name ?? '' });
  const declared = metaNumber(first, 'split.count');
  if (declared !== null && declared > 1 && declared !== files.length) {
    throw new AppError('MODEL_TRUNCATED', {
      path: files[0]!.name,
      reason: `split.count is ${declared} but ${files.length} shard(s) are listed`,
    });
  }
  const info = summarize(files[0]!.url, total, { ...first, tensors: headers.flatMap((h) => h.tensors) }, files.length);
  return { headers, info, bytesFetched: bytes };
}
