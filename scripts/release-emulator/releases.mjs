// The GitHub REST shapes the release emulator answers with (SOURCES.md names the captures they follow): a release
// object with its assets, the 404 body, and the serve-time faults that change what a listing says (a wrong digest,
// a size that the served bytes do not reach, no digest at all). No I/O here.
import { createHash } from 'node:crypto';

/** Stable fake ids, like GitHub's numeric ids, derived from a string. */
export const numericId = (s) => parseInt(createHash('sha256').update(s).digest('hex').slice(0, 10), 16) % 2_000_000_000;
const nodeId = (prefix, id) => `${prefix}_kwDO${Buffer.from(String(id)).toString('base64url')}`;

const contentType = (name) =>
  name.endsWith('.zip') ? 'application/zip' : name.endsWith('.gz') ? 'application/gzip' : 'application/octet-stream';

/** The faults (emulator option `faults`) that apply to `assetName`: { asset: name | /regex/ source, kind }. */
export function assetFaults(faults, assetName, kinds) {
  return faults.filter((f) => {
    if (!kinds.includes(f.kind)) return false;
    if (!f.asset) return true;
    if (f.asset === assetName) return true;
    try {
      return new RegExp(f.asset).test(assetName);
    } catch {
      return false;
    }
  });
}

/** A digest that is well-formed but wrong: the last hex digit changed. */
export const wrongDigest = (sha256) => sha256.slice(0, -1) + (sha256.at(-1) === '0' ? '1' : '0');

/** What the listing publishes for an asset, given the faults: { size, digest }. */
export function publishedFacts(asset, faults) {
  const f = assetFaults(faults, asset.name, ['digest-mismatch', 'no-digest']);
  let digest = `sha256:${asset.sha256}`;
  if (f.some((x) => x.kind === 'digest-mismatch')) digest = `sha256:${wrongDigest(asset.sha256)}`;
  if (f.some((x) => x.kind === 'no-digest')) digest = null;
  return { size: asset.size, digest };
}

/** How many bytes are really served for an asset: its size, or less under a 'truncated' fault (default: half). */
export function servedSize(asset, faults) {
  const t = assetFaults(faults, asset.name, ['truncated'])[0];
  if (!t) return asset.size;
  return Math.max(0, Math.min(asset.size - 1, t.at ?? Math.floor(asset.size / 2)));
}

/** The path browser_download_url points at (github.com/OWNER/REPO/releases/download/TAG/NAME). */
export const downloadPath = (repo, tag, name) =>
  `/${repo}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(name)}`;

/** The "objects.githubusercontent.com" path the download redirects to (signed, expiring URL on GitHub). */
export const objectPath = (assetId, name) =>
  `/objects/github-production-release-asset/${assetId}/${encodeURIComponent(name)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-Signature=${createHash('sha256').update(`sig:${assetId}`).digest('hex').slice(0, 64)}`;

/** One asset object of the releases API. */
export function assetJson(base, repo, release, asset, faults) {
  const { size, digest } = publishedFacts(asset, faults);
  const at = release.publishedAt;
  return {
    url: `${base}/repos/${repo}/releases/assets/${asset.id}`,
    id: asset.id,
    node_id: nodeId('RA', asset.id),
    name: asset.name,
    label: '',
    uploader: { login: 'github-actions[bot]', id: 41898282, type: 'Bot', site_admin: false },
    content_type: asset.contentType ?? contentType(asset.name),
    state: 'uploaded',
    size,
    digest,
    download_count: asset.downloads ?? 0,
    created_at: at,
    updated_at: at,
    browser_download_url: `${base}${downloadPath(repo, release.tag, asset.name)}`,
  };
}

/** One release object (GET /repos/{owner}/{repo}/releases/tags/{tag}, /releases/latest, items of /releases). */
export function releaseJson(base, repo, release, faults) {
  const id = release.id;
  return {
    url: `${base}/repos/${repo}/releases/${id}`,
    assets_url: `${base}/repos/${repo}/releases/${id}/assets`,
    upload_url: `${base}/repos/${repo}/releases/${id}/assets{?name,label}`,
    html_url: `${base}/${repo}/releases/tag/${release.tag}`,
    id,
    author: { login: 'github-actions[bot]', id: 41898282, type: 'Bot', site_admin: false },
    node_id: nodeId('RE', id),
    tag_name: release.tag,
    target_commitish: 'master',
    name: release.name ?? release.tag,
    draft: Boolean(release.draft),
    immutable: false,
    prerelease: Boolean(release.prerelease),
    created_at: release.publishedAt,
    updated_at: release.publishedAt,
    published_at: release.publishedAt,
    assets: release.assets.map((a) => assetJson(base, repo, release, a, faults)),
    tarball_url: `${base}/repos/${repo}/tarball/${release.tag}`,
    zipball_url: `${base}/repos/${repo}/zipball/${release.tag}`,
    body: release.body ?? '',
  };
}

/** GitHub's 404 body for the REST API. */
export const notFound = (doc) => ({
  message: 'Not Found',
  documentation_url: `https://docs.github.com/rest/releases/${doc}`,
  status: '404',
});

/** The release /releases/latest answers: the newest published one that is neither a draft nor a prerelease. */
export function latestRelease(releases) {
  return (
    [...releases]
      .filter((r) => !r.draft && !r.prerelease)
      .sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0))[0] ?? null
  );
}
