/**
 * A vLLM snapshot download ({ snapshot: repo }): every file of a Hugging Face repo that `vllm serve` reads — config,
 * generation config, tokenizer files, the shard index and every *.safetensors shard — verified and installed
 * together as one folder (job-run.ts, snapshot-install.ts). A listing with any unsafe name is refused whole
 * (HUB_UNSAFE_PATH): a snapshot missing a file is broken, and a hub that names "../x" is not to be trusted.
 *
 * Checksums: LFS files (shards, usually tokenizer.json) come with their sha256 in the tree listing. Small files are
 * plain git blobs listed with their git object id (sha1 of "blob <size>\0" + content): they are fetched here
 * (bounded), checked against that id, and their sha256 taken from the checked bytes, so the download that follows
 * verifies them like any other file.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { DownloadRequest, EndpointInfo, RepoFile } from '../../shared/models';
import { parseRepoRef } from './hub-url';
import { downloadUrl, type HubHttp } from './hubs';
import { explicitEndpoint, listFirst, type Resolved, type ResolveDeps } from './resolve';

/** Files a snapshot takes besides the shards (top level of the repo). */
const SNAPSHOT_FILES = new Set([
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'tokenizer.model',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'vocab.txt',
  'merges.txt',
  'chat_template.jinja',
  'chat_template.json',
  'preprocessor_config.json',
  'model.safetensors.index.json',
]);
/** Pure: a file name a snapshot consists of (top level): its config, tokenizer and index files, and the shards. */
export function isSnapshotFile(name: string): boolean {
  return SNAPSHOT_FILES.has(name) || /\.safetensors$/i.test(name);
}

/** A non-LFS file is a small git blob (the hub requires LFS above 10 MB); anything larger is refused. */
const MAX_SMALL_FILE = 16 * 1024 * 1024;

/** Pure: the files of a listing that make the snapshot; throws when config.json or the weights are missing. */
export function selectSnapshotFiles(repo: string, files: RepoFile[]): RepoFile[] {
  const picked = files.filter(
    (f) => !f.path.includes('/') && (SNAPSHOT_FILES.has(f.path) || /\.safetensors$/i.test(f.path)),
  );
  if (!picked.some((f) => f.path === 'config.json'))
    throw new AppError('HUB_FILE_NOT_FOUND', { repo, file: 'config.json' });
  if (!picked.some((f) => /\.safetensors$/i.test(f.path)))
    throw new AppError('HUB_FILE_NOT_FOUND', { repo, file: '*.safetensors' });
  // Shards first, config.json last: moved in that order when the folder already exists.
  const rank = (p: string) => (/\.safetensors$/i.test(p) ? 0 : p === 'config.json' ? 2 : 1);
  return [...picked].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
}

/** git's object id of a blob: sha1("blob <size>\0" + content). */
export function gitBlobSha1(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

async function fetchSmall(url: string, http: HubHttp, file: string, signal?: AbortSignal): Promise<Buffer> {
  const res = await http.fetch(url, {
    redirect: 'follow',
    signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(60_000)]) : AbortSignal.timeout(60_000),
  });
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new AppError('HUB_UNREACHABLE', { endpoint: new URL(url).origin, reason: `HTTP ${res.status} for ${file}` });
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) {
    n += c.length;
    if (n > MAX_SMALL_FILE) {
      await res.body.cancel().catch(() => undefined);
      throw new AppError('HUB_NO_CHECKSUM', { file }, `larger than ${MAX_SMALL_FILE} bytes without an LFS sha256`);
    }
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks);
}

/** The sha256 of a small file listed with its git blob id only, from bytes checked against that id. */
async function hashSmall(
  f: RepoFile,
  oid: string | undefined,
  c: { endpoint: EndpointInfo; repo: string; revision: string },
  http: HubHttp,
  signal?: AbortSignal,
): Promise<RepoFile> {
  if (!oid) throw new AppError('HUB_NO_CHECKSUM', { file: f.path });
  const body = await fetchSmall(downloadUrl(c.endpoint, c.repo, c.revision, f.path), http, f.path, signal);
  const actual = gitBlobSha1(body);
  if (actual !== oid) throw new AppError('DOWNLOAD_HASH_MISMATCH', { file: f.path, expected: oid, actual });
  return { ...f, sizeBytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
}

export async function resolveSnapshot(
  req: Extract<DownloadRequest, { snapshot: string }>,
  d: ResolveDeps,
): Promise<Resolved> {
  const ref = parseRepoRef(req.snapshot);
  const eps = await d.endpoints.ordered(req.endpoint);
  const explicit = explicitEndpoint(ref, eps);
  // Same hub only (a mirror of it, hf-mirror for Hugging Face): the other hub names repos differently.
  const ordered = explicit
    ? [explicit, ...eps.filter((e) => e.url !== explicit.url && e.hub === ref.hub)]
    : eps.filter((e) => e.hub === ref.hub);
  const cands = ordered.map((endpoint) => ({ endpoint, repo: ref.repo, revision: ref.revision }));
  const { index, listing } = await listFirst(cands, d.endpoints.http, d.signal);
  if (listing.skipped.length) throw listing.skipped[0]!.error;
  const primary = cands[index]!;
  const files: RepoFile[] = [];
  for (const f of selectSnapshotFiles(ref.repo, listing.files))
    files.push(f.sha256 ? f : await hashSmall(f, listing.gitOids?.get(f.path), primary, d.endpoints.http, d.signal));
  const paths = files.map((f) => f.path);
  return {
    hub: ref.hub,
    repo: ref.repo,
    revision: ref.revision,
    catalogId: null,
    name: ref.repo.split('/')[1]!,
    quant: null,
    files: files.map((f) => ({ path: f.path, sizeBytes: f.sizeBytes, sha256: f.sha256! })),
    candidates: [primary, ...cands.filter((c) => c !== primary)].map((c) => ({ ...c, paths })),
    skipped: [],
    format: 'safetensors',
  };
}
