/**
 * Asks a GitHub-shaped releases API (api.github.com, a mirror, or the test stand-in) for one release of llama.cpp:
 * GET {endpoint}/repos/{repo}/releases/tags/{tag} or /releases/latest. The body is read up to a cap and checked in
 * release-parse.ts; every failure is RELEASE_UNREACHABLE naming the endpoint and the reason.
 */
import { AppError } from '../../shared/errors';
import type { Fetch } from '../downloads/hubs';
import { backoffMs } from '../downloads/retry';
import { fetchFailureReason } from '../util/fetch-failure';
import { parseRelease, releaseStatusError, releaseUrl, retryableStatus, type ReleaseInfo } from './release-parse';

export {
  DEFAULT_RELEASE_ENDPOINT,
  parseReleaseEndpoint,
  RELEASE_ENDPOINT_ENV,
  releaseEndpoint,
  type ReleaseAsset,
  type ReleaseInfo,
} from './release-parse';

/** A release of llama.cpp with ~50 assets is ~100 KiB of JSON, notes included; GitHub caps notes at 125,000 chars. */
export const MAX_RELEASE_BODY_BYTES = 4 << 20;
const USER_AGENT = 'DeepLocal/0.1 (+https://github.com/deeplocal)';

export interface FetchReleaseOptions {
  /** The API base (see releaseEndpoint). */
  endpoint: string;
  /** owner/name, e.g. ggml-org/llama.cpp. */
  repo: string;
  tag: string | 'latest';
  fetch: Fetch;
  signal?: AbortSignal;
  /** For the whole request, body included (default 20 s). */
  timeoutMs?: number;
  /** Tries after the first for network errors and 5xx (default 2). */
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
}

/** The body as text, refusing more than `max` bytes (announced or received). */
async function readCapped(res: Response, max: number): Promise<string> {
  const announced = Number(res.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`answer larger than ${max} bytes`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`answer larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const sleepDefault = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One release, checked; RELEASE_UNREACHABLE (endpoint + reason) for anything else. An abort rethrows its reason. */
export async function fetchRelease(o: FetchReleaseOptions): Promise<ReleaseInfo> {
  const ctx = { endpoint: o.endpoint, repo: o.repo, tag: o.tag };
  const url = releaseUrl(o.endpoint, o.repo, o.tag);
  const retries = o.retries ?? 2;
  let last: AppError | null = null;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await (o.sleep ?? sleepDefault)(backoffMs(attempt - 1, 500, 4000));
    o.signal?.throwIfAborted();
    const t = AbortSignal.timeout(o.timeoutMs ?? 20_000);
    const signal = o.signal ? AbortSignal.any([t, o.signal]) : t;
    let text: string;
    try {
      const res = await o.fetch(url, {
        headers: {
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': o.userAgent ?? USER_AGENT,
        },
        signal,
        redirect: 'follow',
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        const err = releaseStatusError(res.status, res.headers, ctx);
        if (!retryableStatus(res.status)) throw err;
        last = err;
        continue;
      }
      text = await readCapped(res, MAX_RELEASE_BODY_BYTES);
    } catch (e) {
      if (o.signal?.aborted) throw o.signal.reason;
      if (e instanceof AppError) throw e;
      last = new AppError('RELEASE_UNREACHABLE', { endpoint: o.endpoint, reason: fetchFailureReason(e) }, String(e));
      // A body over the cap will be over it again.
      if (String((e as Error)?.message).startsWith('answer larger')) throw last;
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AppError('RELEASE_UNREACHABLE', { endpoint: o.endpoint, reason: 'the answer is not JSON' });
    }
    return parseRelease(json, ctx);
  }
  throw last ?? new AppError('RELEASE_UNREACHABLE', { endpoint: o.endpoint, reason: 'no answer' });
}
