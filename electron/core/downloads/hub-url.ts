/**
 * Pure parsing of what users paste: repo ids and hub URLs (Hugging Face, HF-compatible mirrors, ModelScope), the
 * `:QUANT` suffix, quant labels in file names, and grouping split GGUF shards. Table-tested in hub-url.test.ts.
 */
import { AppError } from '../../shared/errors';
import type { GgufGroup, HubKind, RepoFile, RepoRef } from '../../shared/models';
import { isSafeRelativePath, unsafeSegment } from '../util/safe-path';

const HF_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);
const MS_HOSTS = new Set(['modelscope.cn', 'www.modelscope.cn']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;
// A quant suffix names no path, no port-looking number alone is fine too (":8" is not a quant, but harmless).
const QUANT_SUFFIX = /^(.*[^:]):([A-Za-z0-9][A-Za-z0-9_.+-]{0,63})$/;

export const DEFAULT_REVISION: Record<HubKind, string> = { huggingface: 'main', modelscope: 'master' };

// Owner and name become two folders under the models folder, so each is also checked as a file name on Windows
// (no "nul", no trailing dot).
function validRepo(owner: string | undefined, name: string | undefined): string | null {
  if (
    !owner ||
    !name ||
    !NAME.test(owner) ||
    !NAME.test(name) ||
    name.endsWith('.git') ||
    owner.includes('..') ||
    name.includes('..')
  )
    return null;
  if (unsafeSegment(owner) || unsafeSegment(name)) return null;
  return `${owner}/${name}`;
}

/** A revision (branch, tag, commit, refs/pr/N): goes into URLs, so no "..", no controls, nothing odd. */
export function validRevision(r: string): boolean {
  return r.length <= 256 && isSafeRelativePath(r);
}

function dec(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A file path inside a repo, checked as every hub path is (see util/safe-path.ts). */
export const validRepoPath = isSafeRelativePath;

/**
 * Parses a repo id or URL. `owner/repo` alone means `defaultHub` (Hugging Face unless told otherwise).
 * Throws HUB_BAD_REF for anything else.
 */
export function parseRepoRef(input: string, defaultHub: HubKind = 'huggingface'): RepoRef {
  const raw = input.trim();
  const bad = () => new AppError('HUB_BAD_REF', { ref: raw.slice(0, 300) });
  if (!raw || raw.length > 2000 || /\s/.test(raw)) throw bad();

  let body = raw;
  let quant: string | null = null;
  const qm = QUANT_SUFFIX.exec(raw);
  if (qm && !/^https?$/i.test(qm[1] ?? '') && !(qm[2] ?? '').includes('/')) {
    // "host:8080" has no repo after it, so a trailing ":digits" right after a host is a port, not a quant.
    const before = qm[1] ?? '';
    const isPort = /^\d+$/.test(qm[2] ?? '') && /^(https?:\/\/)?[^/]+$/i.test(before);
    if (!isPort) {
      body = before;
      quant = qm[2] ?? null;
    }
  }

  // A bare id.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(body)) {
    const firstSeg = body.split('/')[0]?.toLowerCase() ?? '';
    if (HF_HOSTS.has(firstSeg) || MS_HOSTS.has(firstSeg) || firstSeg === 'hf-mirror.com') body = `https://${body}`;
    else {
      const parts = body.split('/');
      const repo = parts.length === 2 ? validRepo(parts[0], parts[1]) : null;
      if (!repo) throw bad();
      return { hub: defaultHub, repo, revision: DEFAULT_REVISION[defaultHub], file: null, quant, endpoint: null };
    }
  }

  let url: URL;
  try {
    url = new URL(body);
  } catch {
    throw bad();
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad();
  const host = url.hostname.toLowerCase();
  const segs = url.pathname.split('/').filter(Boolean).map(dec);
  const origin = url.origin;

  const isMs =
    MS_HOSTS.has(host) || (!HF_HOSTS.has(host) && (segs[0] === 'models' || (segs[0] === 'api' && segs[1] === 'v1')));
  if (isMs) {
    const endpoint = MS_HOSTS.has(host) ? null : origin;
    // /api/v1/models/owner/repo/repo?Revision=…&FilePath=…
    if (segs[0] === 'api') {
      if (segs[1] !== 'v1' || segs[2] !== 'models') throw bad();
      const repo = validRepo(segs[3], segs[4]);
      if (!repo) throw bad();
      const file = url.searchParams.get('FilePath');
      const revision = url.searchParams.get('Revision') ?? 'master';
      if ((file !== null && !validRepoPath(file)) || !validRevision(revision)) throw bad();
      return { hub: 'modelscope', repo, revision, file, quant, endpoint };
    }
    if (segs[0] !== 'models') throw bad();
    const repo = validRepo(segs[1], segs[2]);
    if (!repo) throw bad();
    let revision = 'master';
    let file: string | null = null;
    const rest = segs.slice(3);
    // /files, /summary, /file/view/<rev>/<path>, /resolve/<rev>/<path>
    if ((rest[0] === 'file' && rest[1] === 'view') || rest[0] === 'resolve') {
      const off = rest[0] === 'file' ? 2 : 1;
      revision = rest[off] ?? 'master';
      file = rest.slice(off + 1).join('/') || null;
    } else if (rest.length > 0 && !['files', 'summary', 'feedback'].includes(rest[0] ?? '')) throw bad();
    if ((file !== null && !validRepoPath(file)) || !validRevision(revision)) throw bad();
    return { hub: 'modelscope', repo, revision, file, quant, endpoint };
  }

  const endpoint = HF_HOSTS.has(host) ? null : origin;
  let s = segs;
  if (s[0] === 'api' && s[1] === 'models') s = s.slice(2);
  if (s[0] === 'datasets' || s[0] === 'spaces') throw bad();
  const repo = validRepo(s[0], s[1]);
  if (!repo) throw bad();
  let revision = 'main';
  let file: string | null = null;
  const kind = s[2];
  if (kind === 'tree' || kind === 'blob' || kind === 'resolve' || kind === 'raw') {
    revision = s[3] ?? 'main';
    const p = s.slice(4).join('/');
    if (kind !== 'tree' && p) file = p;
  } else if (kind !== undefined) throw bad();
  if ((file !== null && !validRepoPath(file)) || !validRevision(revision)) throw bad();
  return { hub: 'huggingface', repo, revision, file, quant, endpoint };
}

// Order matters: longer labels first so "Q4_K_M" is not read as "Q4_K".
const QUANT_RE =
  /(?:^|[-_.])((?:UD-)?(?:IQ[1-4]_(?:XXS|XS|NL|S|M)|Q[2-8]_K(?:_(?:XL|S|M|L))?|Q[4-8]_[01]|Q2_K_S|TQ[12]_0|MXFP4(?:_MOE)?|BF16|F16|F32))(?=[-_.]|$)/i;

/** The quant label in a file name ("…-UD-IQ1_S-00001-of-00003.gguf" → "UD-IQ1_S"), upper-cased; null when none. */
export function parseQuant(fileName: string): string | null {
  const base = (fileName.split('/').pop() ?? fileName).replace(/\.gguf$/i, '').replace(/-\d{5}-of-\d{5}$/i, '');
  const m = QUANT_RE.exec(base);
  return m?.[1] ? m[1].toUpperCase() : null;
}

const SPLIT = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

/** GGUF files of a listing grouped into models: a single file, or the shards of a split one (first shard's path names it). */
export function groupGgufFiles(files: RepoFile[]): GgufGroup[] {
  const groups = new Map<string, { shards: Map<number, RepoFile>; count: number | null; first: string }>();
  for (const f of files) {
    if (!/\.gguf$/i.test(f.path)) continue;
    const m = SPLIT.exec(f.path);
    if (m) {
      const key = `${m[1]}|${m[3]}`;
      const count = Number(m[3]);
      const idx = Number(m[2]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { shards: new Map(), count, first: `${m[1]}-00001-of-${m[3]}.gguf` }));
      g.shards.set(idx, f);
    } else groups.set(f.path, { shards: new Map([[1, f]]), count: null, first: f.path });
  }
  const out: GgufGroup[] = [];
  for (const g of groups.values()) {
    const shardFiles = [...g.shards.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
    // An incomplete split set (a shard missing from the listing) cannot be downloaded as a model.
    if (g.count !== null && (shardFiles.length !== g.count || !g.shards.has(1))) continue;
    const name = g.first.split('/').pop() ?? g.first;
    out.push({
      path: g.first,
      files: shardFiles,
      sizeBytes: shardFiles.reduce((n, f) => n + f.sizeBytes, 0),
      quant: parseQuant(g.first),
      auxiliary: /mmproj|imatrix|draft/i.test(name),
    });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Picks a group by quant label: exact (case-insensitive), then a unique group whose label ends with it ("IQ1_S"
 * finds "UD-IQ1_S"). Returns null when none or several match.
 */
export function matchQuant(groups: GgufGroup[], quant: string): GgufGroup | null {
  const q = quant.toUpperCase();
  const models = groups.filter((g) => !g.auxiliary);
  const exact = models.filter((g) => g.quant === q);
  if (exact.length === 1) return exact[0] ?? null;
  if (exact.length > 1) return null;
  const loose = models.filter((g) => g.quant?.endsWith(`-${q}`) || g.quant?.replace(/^UD-/, '') === q);
  return loose.length === 1 ? (loose[0] ?? null) : null;
}

/** What `pull repo` takes when no quant is given: the usual 4-bit, else the only model in the repo. */
export const DEFAULT_QUANTS = ['Q4_K_M', 'UD-Q4_K_XL', 'Q4_K_S', 'IQ4_XS', 'Q4_0', 'Q5_K_M', 'Q6_K', 'Q8_0'];
export function defaultGroup(groups: GgufGroup[]): GgufGroup | null {
  const models = groups.filter((g) => !g.auxiliary);
  if (models.length === 1) return models[0] ?? null;
  for (const q of DEFAULT_QUANTS) {
    const g = models.filter((x) => x.quant === q);
    if (g.length === 1) return g[0] ?? null;
  }
  return null;
}

/** `owner/repo` → a folder name inside the models folder (owner/repo, kept as two levels). */
export function repoDir(repo: string): string {
  const parts = repo.split('/');
  if (parts.length !== 2 || !validRepo(parts[0], parts[1])) throw new AppError('HUB_BAD_REF', { ref: repo });
  const [owner, name] = parts;
  return `${owner}/${name}`;
}
