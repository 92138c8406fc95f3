/**
 * The llama.cpp release feed as data: which endpoint to ask (setting > DEEPLOCAL_RELEASE_ENDPOINT > GitHub), what a
 * GitHub-shaped release answer means once checked (hostile until zod and the name/URL checks say otherwise), and what
 * an HTTP status means. Pure; table-tested in release-parse.test.ts. The request itself is release-feed.ts.
 */
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { printable, unsafeSegment } from '../util/safe-path';
import type { ReleaseAsset, ReleaseInfo as BaseReleaseInfo } from './assets';

export const DEFAULT_RELEASE_ENDPOINT = 'https://api.github.com';
export const RELEASE_ENDPOINT_ENV = 'DEEPLOCAL_RELEASE_ENDPOINT';

export type { ReleaseAsset };

/** assets.ts's ReleaseInfo, with what was left out of it (for the log). */
export interface ReleaseInfo extends BaseReleaseInfo {
  /** Assets left out because their name, size or URL is unusable, or because the name is listed twice. */
  skipped: { name: string; reason: string }[];
}

/** Release tags become part of a runtime id (`<tag>-<variant>`) and a folder name. */
export const TAG_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
/** GitHub's own limit is 2 GiB per asset; anything above 16 GiB is not a llama.cpp build. */
export const MAX_ASSET_BYTES = 16 * 1024 ** 3;
export const MAX_ASSETS = 1000;

/** An endpoint value as a base URL without trailing slashes, or why it cannot be one. */
export function parseReleaseEndpoint(value: string): { url: string } | { error: string } {
  const v = value.trim().replace(/\/+$/, '');
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return { error: 'not a URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: `${u.protocol} is not http or https` };
  if (u.username || u.password) return { error: 'credentials in the URL' };
  if (u.search || u.hash) return { error: 'a query or fragment in the URL' };
  return { url: v };
}

/**
 * The GitHub API base to use: the setting, else DEEPLOCAL_RELEASE_ENDPOINT, else api.github.com. A value that is
 * not an http(s) URL is not skipped silently: RELEASE_UNREACHABLE names it (Settings → Runtimes shows it).
 */
export function releaseEndpoint(setting: string | null | undefined, env: NodeJS.ProcessEnv = {}): string {
  const chosen = setting?.trim() || env[RELEASE_ENDPOINT_ENV]?.trim() || DEFAULT_RELEASE_ENDPOINT;
  const r = parseReleaseEndpoint(chosen);
  if ('error' in r) throw new AppError('RELEASE_UNREACHABLE', { endpoint: printable(chosen, 200), reason: r.error });
  return r.url;
}

/** `{endpoint}/repos/{owner}/{name}/releases/tags/{tag}` or `/releases/latest`. */
export function releaseUrl(endpoint: string, repo: string, tag: string): string {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) throw new Error(`not a GitHub repository: ${repo}`);
  const which = tag === 'latest' ? 'latest' : `tags/${encodeURIComponent(tag)}`;
  return `${endpoint}/repos/${repo}/releases/${which}`;
}

const SHA256_DIGEST = /^sha256:([0-9a-fA-F]{64})$/;

const AssetShape = z.object({
  name: z.string(),
  size: z.number(),
  digest: z.string().nullish(),
  browser_download_url: z.string(),
  /** GitHub: "uploaded" once complete; "open" while an upload is in progress. */
  state: z.string().optional(),
});

const ReleaseShape = z.object({
  tag_name: z.string(),
  assets: z.array(z.unknown()).max(MAX_ASSETS),
});

/** Why one listed asset cannot be offered, or null when it can. */
function assetProblem(a: z.infer<typeof AssetShape>): string | null {
  const why = unsafeSegment(a.name);
  if (why) return `unsafe name (${why})`;
  if (a.name.length > 300) return 'name too long';
  if (!Number.isSafeInteger(a.size) || a.size <= 0 || a.size > MAX_ASSET_BYTES) return `bad size ${a.size}`;
  if (a.state !== undefined && a.state !== 'uploaded') return `not uploaded (${a.state})`;
  let u: URL;
  try {
    u = new URL(a.browser_download_url);
  } catch {
    return 'download URL is not a URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `download URL is ${u.protocol}`;
  if (u.username || u.password) return 'credentials in the download URL';
  return null;
}

/**
 * A release answer checked: the tag must be usable as a folder name and, when one was asked for, be that tag;
 * unusable assets are left out (listed in `skipped`), and so is every asset whose name appears twice (which of the
 * two is meant cannot be known). A `digest` that is not `sha256:<64 hex>` counts as none.
 */
export function parseRelease(json: unknown, ctx: { endpoint: string; repo: string; tag: string }): ReleaseInfo {
  const bad = (reason: string) => new AppError('RELEASE_UNREACHABLE', { endpoint: ctx.endpoint, reason });
  const r = ReleaseShape.safeParse(json);
  if (!r.success) throw bad(`the answer is not a GitHub release (${r.error.issues[0]?.path.join('.') || 'root'})`);
  const tag = r.data.tag_name;
  if (!TAG_PATTERN.test(tag)) throw bad(`unusable release tag "${printable(tag, 100)}"`);
  if (ctx.tag !== 'latest' && tag !== ctx.tag) throw bad(`asked for release ${ctx.tag}, got ${tag}`);
  const skipped: { name: string; reason: string }[] = [];
  const ok: ReleaseAsset[] = [];
  for (const raw of r.data.assets) {
    const a = AssetShape.safeParse(raw);
    if (!a.success) {
      const name = (raw as { name?: unknown })?.name;
      skipped.push({ name: printable(typeof name === 'string' ? name : '?', 200), reason: 'malformed entry' });
      continue;
    }
    const why = assetProblem(a.data);
    if (why) {
      skipped.push({ name: printable(a.data.name, 200), reason: why });
      continue;
    }
    const m = SHA256_DIGEST.exec(a.data.digest ?? '');
    ok.push({
      name: a.data.name,
      size: a.data.size,
      sha256: m ? m[1]!.toLowerCase() : null,
      url: a.data.browser_download_url,
    });
  }
  const count = new Map<string, number>();
  for (const a of ok) count.set(a.name, (count.get(a.name) ?? 0) + 1);
  const assets = ok.filter((a) => count.get(a.name) === 1);
  for (const [name, n] of count) if (n > 1) skipped.push({ name, reason: `listed ${n} times` });
  return { tag, assets, skipped };
}

/** What a non-2xx answer of the release API means (always RELEASE_UNREACHABLE, with the reason spelled out). */
export function releaseStatusError(
  status: number,
  headers: Headers,
  ctx: { endpoint: string; repo: string; tag: string },
  now: number = Date.now(),
): AppError {
  const what = ctx.tag === 'latest' ? `the latest release of ${ctx.repo}` : `release ${ctx.tag} of ${ctx.repo}`;
  let reason: string;
  if (status === 404) reason = `${what} was not found (HTTP 404)`;
  else if ((status === 403 || status === 429) && headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(headers.get('x-ratelimit-reset'));
    const mins = Number.isFinite(reset) && reset > 0 ? Math.max(1, Math.ceil((reset * 1000 - now) / 60_000)) : null;
    reason = `rate limited (HTTP ${status})${mins ? `, try again in ${mins} min` : ''}`;
  } else if (status === 429) reason = 'rate limited (HTTP 429)';
  else reason = `HTTP ${status}`;
  return new AppError('RELEASE_UNREACHABLE', { endpoint: ctx.endpoint, reason });
}

/** Statuses worth asking again after a pause (the server or a proxy in between had a moment). */
export const retryableStatus = (status: number): boolean => status >= 500 || status === 408;
