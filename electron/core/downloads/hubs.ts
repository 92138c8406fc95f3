/**
 * Hub APIs: Hugging Face (and any HF-compatible endpoint such as hf-mirror) and ModelScope. Listing files with their
 * SHA-256, reading the hash headers of one file, and download URLs (the endpoints themselves: endpoints.ts).
 * fetch is injected; tests run these against scripts/hub-emulator.
 */
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { EndpointInfo, RepoFile } from '../../shared/models';
import { fetchFailureReason } from '../util/fetch-failure';
import { printable, unsafeRelativePath } from '../util/safe-path';
import { parseLinkHeader, parseRetryAfter, sha256FromEtag } from './http-headers';
import { backoffMs } from './retry';

export type Fetch = typeof fetch;

export interface HubHttp {
  fetch: Fetch;
  /** Per request, to the response headers. */
  timeoutMs?: number;
  userAgent?: string;
  /** API calls only (downloads have their own policy). */
  retries?: number;
  backoffBaseMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepDefault = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** The User-Agent of our hub requests (a caller's HubHttp.userAgent replaces it). */
export const HUB_USER_AGENT = 'DeepLocal/0.1 (+https://github.com/deeplocal)';

const encPath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** Where the bytes of a file come from (Range supported on both). */
export function downloadUrl(ep: EndpointInfo, repo: string, revision: string, file: string): string {
  if (ep.hub === 'modelscope') {
    return `${ep.url}/api/v1/models/${repo}/repo?Revision=${encodeURIComponent(revision)}&FilePath=${encodeURIComponent(file)}`;
  }
  return `${ep.url}/${repo}/resolve/${encodeURIComponent(revision)}/${encPath(file)}`;
}

function timeoutSignal(ms: number, outer?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return outer ? AbortSignal.any([t, outer]) : t;
}

/** Maps a hub's HTTP status to our error; null for statuses worth retrying. */
export function hubStatusError(
  status: number,
  headers: Headers,
  ctx: { endpoint: string; repo: string; file?: string },
): AppError | null {
  const code = headers.get('x-error-code');
  if (status === 404 || code === 'RepoNotFound' || code === 'EntryNotFound' || code === 'RevisionNotFound') {
    if (ctx.file && code !== 'RepoNotFound')
      return new AppError('HUB_FILE_NOT_FOUND', { repo: ctx.repo, file: ctx.file });
    return new AppError('HUB_NOT_FOUND', { repo: ctx.repo });
  }
  if (status === 401 || status === 403)
    return new AppError('HUB_AUTH_REQUIRED', { repo: ctx.repo }, `HTTP ${status} ${code ?? ''}`.trim());
  if (status === 429 || status >= 500 || status === 408) return null;
  return new AppError('HUB_UNREACHABLE', { endpoint: ctx.endpoint, reason: `HTTP ${status}` });
}

/** GET with a bounded retry for API calls (5xx, network, 429 with Retry-After up to 10 s). */
async function apiGet(
  url: string,
  http: HubHttp,
  ctx: { endpoint: string; repo: string; file?: string },
  signal?: AbortSignal,
): Promise<Response> {
  const retries = http.retries ?? 2;
  const sleep = http.sleep ?? sleepDefault;
  let last: AppError | null = null;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(backoffMs(attempt - 1, http.backoffBaseMs ?? 500, 5000));
    let res: Response;
    try {
      res = await http.fetch(url, {
        headers: { 'user-agent': http.userAgent ?? HUB_USER_AGENT, accept: 'application/json' },
        signal: timeoutSignal(http.timeoutMs ?? 15_000, signal),
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      last = new AppError(
        'HUB_UNREACHABLE',
        { endpoint: ctx.endpoint, reason: fetchFailureReason(e) },
        String((e as Error)?.stack ?? e),
      );
      continue;
    }
    if (res.ok) return res;
    await res.body?.cancel().catch(() => undefined);
    const err = hubStatusError(res.status, res.headers, ctx);
    if (err) throw err;
    if (res.status === 429) {
      const wait = parseRetryAfter(res.headers.get('retry-after'));
      last = new AppError('HUB_RATE_LIMITED', { endpoint: ctx.endpoint });
      if (wait !== null && wait <= 10_000 && attempt < retries) await sleep(wait);
      continue;
    }
    last = new AppError('HUB_UNREACHABLE', { endpoint: ctx.endpoint, reason: `HTTP ${res.status}` });
  }
  throw last ?? new AppError('HUB_UNREACHABLE', { endpoint: ctx.endpoint, reason: 'no answer' });
}

const HfTreeEntry = z.looseObject({
  type: z.string(),
  path: z.string(),
  size: z.number().optional(),
  oid: z.string().optional(),
  lfs: z.looseObject({ oid: z.string(), size: z.number().optional() }).nullable().optional(),
});
const MsFiles = z.looseObject({
  Code: z.number().optional(),
  Success: z.boolean().optional(),
  Message: z.string().optional(),
  Data: z
    .looseObject({
      Files: z
        .array(
          z.looseObject({
            Path: z.string(),
            Type: z.string().optional(),
            Size: z.number().optional(),
            Sha256: z.string().nullable().optional(),
          }),
        )
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
});

const MAX_PAGES = 200;
const MAX_FILES = 100_000;
const MAX_SKIPPED = 100;

/** A listed file whose name is not a safe relative path: left out of the listing, reported with this error. */
export interface SkippedFile {
  path: string;
  error: AppError;
}

export interface RepoFiles {
  files: RepoFile[];
  commit: string | null;
  /** Entries left out because their names could point outside the repo's folder (HUB_UNSAFE_PATH each). */
  skipped: SkippedFile[];
  /** Hugging Face: the git blob id (sha1) of each file listed without an LFS sha256 (config, tokenizer files). */
  gitOids?: Map<string, string>;
}

/**
 * Splits listed files into the ones whose path is safe to use below the models folder and the rest. A listing is
 * written by whoever runs the hub (or sits in between), so every name is checked like user input.
 */
export function partitionSafe(repo: string, listed: RepoFile[]): { files: RepoFile[]; skipped: SkippedFile[] } {
  const files: RepoFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const f of listed) {
    const why = unsafeRelativePath(f.path);
    if (!why) files.push(f);
    else if (skipped.length < MAX_SKIPPED)
      skipped.push({ path: f.path, error: new AppError('HUB_UNSAFE_PATH', { repo, path: printable(f.path) }, why) });
  }
  return { files, skipped };
}

/** Every file of a repo with size and SHA-256 (LFS oid / ModelScope Sha256). */
export async function listRepoFiles(
  ep: EndpointInfo,
  repo: string,
  revision: string,
  http: HubHttp,
  signal?: AbortSignal,
): Promise<RepoFiles> {
  const ctx = { endpoint: ep.url, repo };
  if (ep.hub === 'modelscope') {
    const url = `${ep.url}/api/v1/models/${repo}/repo/files?Revision=${encodeURIComponent(revision)}&Recursive=true`;
    const res = await apiGet(url, http, ctx, signal);
    const parsed = MsFiles.safeParse(await res.json().catch(() => null));
    if (!parsed.success)
      throw new AppError(
        'HUB_UNREACHABLE',
        { endpoint: ep.url, reason: 'unexpected answer from the file API' },
        parsed.error.message.slice(0, 2000),
      );
    const body = parsed.data;
    if (body.Success === false || (body.Code !== undefined && body.Code !== 200))
      throw new AppError('HUB_NOT_FOUND', { repo }, body.Message);
    const listed = (body.Data?.Files ?? [])
      .filter((f) => f.Type !== 'tree')
      .slice(0, MAX_FILES)
      .map((f) => ({
        path: f.Path,
        sizeBytes: Math.max(0, Math.trunc(f.Size ?? 0)),
        sha256: sha256FromEtag(f.Sha256 ?? null),
      }));
    return { ...partitionSafe(repo, listed), commit: null };
  }
  const listed: RepoFile[] = [];
  let url: string | null = `${ep.url}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`;
  let commit: string | null = null;
  const gitOids = new Map<string, string>();
  for (let page = 0; url && page < MAX_PAGES && listed.length < MAX_FILES; page++) {
    const res = await apiGet(url, http, ctx, signal);
    commit ??= res.headers.get('x-repo-commit');
    const parsed = z.array(HfTreeEntry).safeParse(await res.json().catch(() => null));
    if (!parsed.success)
      throw new AppError(
        'HUB_UNREACHABLE',
        { endpoint: ep.url, reason: 'unexpected answer from the tree API' },
        parsed.error.message.slice(0, 2000),
      );
    for (const e of parsed.data) {
      if (e.type !== 'file') continue;
      if (!e.lfs && e.oid && /^[0-9a-f]{40}$/.test(e.oid)) gitOids.set(e.path, e.oid);
      listed.push({
        path: e.path,
        sizeBytes: Math.max(0, Math.trunc(e.lfs?.size ?? e.size ?? 0)),
        sha256: sha256FromEtag(e.lfs?.oid ?? null),
      });
    }
    const next: string | null = parseLinkHeader(res.headers.get('link'), url).next ?? null;
    // A next link must stay on the same endpoint (never follow a listing elsewhere).
    url = next && new URL(next).origin === new URL(ep.url).origin && next !== url ? next : null;
  }
  return { ...partitionSafe(repo, listed), commit, gitOids };
}

export interface FileMeta {
  sizeBytes: number | null;
  sha256: string | null;
  commit: string | null;
}

/**
 * HF: HEAD on the resolve URL without following the redirect, for X-Linked-Etag (sha256 of LFS files), X-Linked-Size
 * and X-Repo-Commit. The CDN's own ETag (after the redirect) is not the sha256, so we never look there. Relative
 * redirects (a renamed repo) are followed on the same endpoint.
 */
export async function headFile(
  ep: EndpointInfo,
  repo: string,
  revision: string,
  file: string,
  http: HubHttp,
  signal?: AbortSignal,
): Promise<FileMeta> {
  if (ep.hub === 'modelscope') {
    const { files } = await listRepoFiles(ep, repo, revision, http, signal);
    const f = files.find((x) => x.path === file);
    if (!f) throw new AppError('HUB_FILE_NOT_FOUND', { repo, file });
    return { sizeBytes: f.sizeBytes, sha256: f.sha256, commit: null };
  }
  const ctx = { endpoint: ep.url, repo, file };
  let url = downloadUrl(ep, repo, revision, file);
  for (let hop = 0; hop < 4; hop++) {
    let res: Response;
    try {
      res = await http.fetch(url, {
        method: 'HEAD',
        redirect: 'manual',
        headers: { 'user-agent': http.userAgent ?? HUB_USER_AGENT },
        signal: timeoutSignal(http.timeoutMs ?? 15_000, signal),
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new AppError('HUB_UNREACHABLE', { endpoint: ep.url, reason: fetchFailureReason(e) });
    }
    const h = res.headers;
    const linked = sha256FromEtag(h.get('x-linked-etag'));
    const commit = h.get('x-repo-commit');
    if (res.status >= 300 && res.status < 400) {
      const loc = h.get('location');
      if (linked || !loc) return { sizeBytes: numberOrNull(h.get('x-linked-size')), sha256: linked, commit };
      const next = new URL(loc, url);
      // Only a redirect within the endpoint is a rename; a CDN redirect without X-Linked-Etag means a non-LFS file.
      if (next.origin !== new URL(ep.url).origin)
        return { sizeBytes: numberOrNull(h.get('x-linked-size')), sha256: null, commit };
      url = next.toString();
      continue;
    }
    if (res.ok) {
      // Non-LFS files are served directly: their ETag is a git blob sha1, not a sha256.
      return { sizeBytes: numberOrNull(h.get('x-linked-size') ?? h.get('content-length')), sha256: linked, commit };
    }
    const err = hubStatusError(res.status, h, ctx);
    throw err ?? new AppError('HUB_UNREACHABLE', { endpoint: ep.url, reason: `HTTP ${res.status}` });
  }
  throw new AppError('HUB_UNREACHABLE', { endpoint: ep.url, reason: 'too many redirects' });
}

function numberOrNull(v: string | null): number | null {
  if (v === null || !/^\d+$/.test(v.trim())) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : null;
}
