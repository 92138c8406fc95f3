/**
 * From what the user asked (a catalog model and quant, or a repo id/URL with an optional :QUANT or file) to what to
 * download: the files with size and SHA-256 from the hub, and the endpoints that can serve them, best first.
 * Endpoint choice: the user's setting, HF_ENDPOINT, or a quick probe (cached for 10 minutes).
 */
import { AppError } from '../../shared/errors';
import type {
  CatalogModel,
  DownloadRequest,
  EndpointId,
  EndpointInfo,
  GgufGroup,
  HubKind,
  HubSettings,
  ModelFormat,
  ProbeResult,
  RepoFile,
  RepoListing,
  RepoRef,
} from '../../shared/models';
import { isSafeRelativePath, printable, unsafeRelativePath } from '../util/safe-path';
import { DEFAULT_REVISION, defaultGroup, groupGgufFiles, matchQuant, parseRepoRef } from './hub-url';
import { endpointCandidates, orderEndpoints, probeEndpoints } from './endpoints';
import { headFile, listRepoFiles, type HubHttp, type RepoFiles, type SkippedFile } from './hubs';
import { resolveSnapshot } from './snapshot';

/** One way to reach the files: an endpoint, the repo there, and each file's path there (parallel to the canonical files). */
export interface Candidate {
  endpoint: EndpointInfo;
  repo: string;
  revision: string;
  paths: string[];
}

export interface ResolvedFile {
  /** Path in the canonical repo (names the file in the models folder). */
  path: string;
  sizeBytes: number;
  sha256: string;
}

export interface Resolved {
  hub: HubKind;
  /** Canonical repo (the Hugging Face one for catalog models): the folder in the models folder. */
  repo: string;
  revision: string;
  catalogId: string | null;
  name: string;
  quant: string | null;
  files: ResolvedFile[];
  /** Best first; the first one answered the listing the hashes come from. */
  candidates: Candidate[];
  /** Files of the listing left out for unsafe names (reported, never downloaded). */
  skipped: SkippedFile[];
  /** 'safetensors': a vLLM snapshot (snapshot.ts), installed as one folder. Absent: gguf. */
  format?: ModelFormat;
}

const PROBE_TTL_MS = 10 * 60_000;

export class EndpointChooser {
  private probed: { at: number; result: ProbeResult } | null = null;

  constructor(
    readonly http: HubHttp,
    private readonly hubSettings: () => Promise<HubSettings>,
    private readonly env: NodeJS.ProcessEnv,
    private readonly overrides: Partial<Record<EndpointId, string>> = {},
    private readonly probeTimeoutMs = 3000,
  ) {}

  async candidates(): Promise<EndpointInfo[]> {
    return endpointCandidates(await this.hubSettings(), this.env, this.overrides);
  }

  async probe(force = false): Promise<ProbeResult> {
    if (!force && this.probed && Date.now() - this.probed.at < PROBE_TTL_MS) return this.probed.result;
    const eps = await this.candidates();
    const probes = await probeEndpoints(eps, this.http, this.probeTimeoutMs);
    const s = await this.hubSettings();
    const ordered = orderEndpoints(eps, s.endpoint, probes, this.env).filter(
      (e) => probes.find((p) => p.id === e.id)?.ok,
    );
    const result = { probes, chosen: ordered[0]?.id ?? null };
    this.probed = { at: Date.now(), result };
    return result;
  }

  /** Endpoints in the order to try. `prefer` (a request's choice) beats settings; `auto` probes unless HF_ENDPOINT decides. */
  async ordered(prefer?: EndpointId): Promise<EndpointInfo[]> {
    const s = await this.hubSettings();
    const eps = await this.candidates();
    const choice = prefer ?? s.endpoint;
    const needProbe = choice === 'auto' && !this.env.HF_ENDPOINT && eps.length > 1;
    const probes = needProbe ? (await this.probe()).probes : null;
    return orderEndpoints(eps, choice, probes, this.env);
  }
}

function candidatesFor(
  eps: EndpointInfo[],
  hf: { repo: string; revision: string; paths: string[] } | null,
  ms: { repo: string; revision: string; paths: string[] } | null,
): Candidate[] {
  const out: Candidate[] = [];
  for (const ep of eps) {
    const r = ep.hub === 'modelscope' ? ms : hf;
    if (r) out.push({ endpoint: ep, repo: r.repo, revision: r.revision, paths: r.paths });
  }
  return out;
}

/** An endpoint named by the URL itself (a mirror, a local server) as an EndpointInfo, matched to a known one if it is. */
export function explicitEndpoint(ref: RepoRef, known: EndpointInfo[]): EndpointInfo | null {
  if (!ref.endpoint) return null;
  const same = known.find((k) => k.hub === ref.hub && new URL(k.url).origin === new URL(ref.endpoint!).origin);
  return same ?? { id: ref.hub === 'modelscope' ? 'modelscope' : 'custom', hub: ref.hub, url: ref.endpoint };
}

/** Tries endpoints in order until one lists the repo; the first error of the preferred endpoint is what the user sees. */
export async function listFirst(
  cands: { endpoint: EndpointInfo; repo: string; revision: string }[],
  http: HubHttp,
  signal?: AbortSignal,
): Promise<{ index: number; listing: RepoFiles }> {
  let first: unknown = null;
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i]!;
    try {
      return { index: i, listing: await listRepoFiles(c.endpoint, c.repo, c.revision, http, signal) };
    } catch (e) {
      if (signal?.aborted) throw e;
      first ??= e;
    }
  }
  throw first ?? new AppError('HUB_UNREACHABLE', { endpoint: 'all endpoints', reason: 'none configured' });
}

async function withHashes(
  files: RepoFile[],
  c: { endpoint: EndpointInfo; repo: string; revision: string },
  http: HubHttp,
): Promise<RepoFile[]> {
  const out: RepoFile[] = [];
  for (const f of files) {
    if (f.sha256) {
      out.push(f);
      continue;
    }
    // The tree API gives lfs.oid for LFS files; otherwise the resolve HEAD's X-Linked-Etag may.
    const meta =
      c.endpoint.hub === 'huggingface'
        ? await headFile(c.endpoint, c.repo, c.revision, f.path, http).catch(() => null)
        : null;
    if (!meta?.sha256) throw new AppError('HUB_NO_CHECKSUM', { file: f.path });
    out.push({ ...f, sha256: meta.sha256, sizeBytes: meta.sizeBytes ?? f.sizeBytes });
  }
  return out;
}

function pickGroup(
  groups: GgufGroup[],
  repo: string,
  file: string | null,
  quant: string | null,
  skipped: SkippedFile[] = [],
): GgufGroup {
  const models = groups.filter((g) => !g.auxiliary);
  // Asked for a file the listing named unsafely, or nothing else is left: say why instead of "not found".
  const unsafe =
    file !== null
      ? skipped.find((s) => s.path === file)
      : !groups.length
        ? skipped.find((s) => /\.gguf$/i.test(s.path))
        : undefined;
  if (unsafe) throw unsafe.error;
  if (!groups.length) throw new AppError('HUB_NO_GGUF', { repo });
  const available = models.map((g) => g.quant ?? g.path).join(', ');
  if (file) {
    const g = groups.find((x) => x.path === file || x.files.some((f) => f.path === file));
    if (!g) throw new AppError('HUB_FILE_NOT_FOUND', { repo, file });
    return g;
  }
  if (quant) {
    const g = matchQuant(groups, quant);
    if (!g) throw new AppError('HUB_QUANT_NOT_FOUND', { repo, quant, available });
    return g;
  }
  const g = defaultGroup(groups);
  if (!g) throw new AppError('HUB_QUANT_NEEDED', { repo, available });
  return g;
}

/** The model catalog as resolving needs it (models/catalog.ts's CatalogStore is one). */
export interface CatalogLookup {
  /** Throws CATALOG_MODEL_NOT_FOUND for an unknown id. */
  get(id: string): Promise<CatalogModel>;
  findByRepo(repo: string): Promise<CatalogModel | null>;
}

export interface ResolveDeps {
  catalog: CatalogLookup;
  endpoints: EndpointChooser;
  signal?: AbortSignal;
}

/** Lists a repo (models.openRepo). */
export async function openRepo(input: string, prefer: EndpointId | undefined, d: ResolveDeps): Promise<RepoListing> {
  const ref = parseRepoRef(input);
  const eps = await d.endpoints.ordered(prefer);
  const explicit = explicitEndpoint(ref, eps);
  const cat = await d.catalog.findByRepo(ref.repo);
  const cands = (explicit ? [explicit] : eps.filter((e) => e.hub === ref.hub)).map((endpoint) => ({
    endpoint,
    repo: ref.repo,
    revision: ref.revision,
  }));
  const { index, listing } = await listFirst(cands, d.endpoints.http, d.signal);
  return {
    ref,
    endpoint: cands[index]!.endpoint,
    commit: listing.commit,
    groups: groupGgufFiles(listing.files),
    files: listing.files,
    catalogId: cat?.id ?? null,
    skipped: listing.skipped.map((s) => s.error.toInfo()),
  };
}

/** Resolves a download request against the hubs. */
export async function resolveDownload(req: DownloadRequest, d: ResolveDeps): Promise<Resolved> {
  if ('snapshot' in req) return resolveSnapshot(req, d);
  const eps = await d.endpoints.ordered(req.endpoint);
  if ('catalogId' in req) {
    const m = await d.catalog.get(req.catalogId);
    const q = m.quants.find((x) => x.id.toLowerCase() === req.quant.toLowerCase());
    if (!q)
      throw new AppError('HUB_QUANT_NOT_FOUND', {
        repo: m.huggingface.repo,
        quant: req.quant,
        available: m.quants.map((x) => x.id).join(', '),
      });
    return resolveCatalog(m, q.id, q.files, q.modelscopeFiles, eps, d);
  }
  const ref = parseRepoRef(req.ref);
  const quant = req.quant ?? ref.quant;
  const file = req.file ?? ref.file;
  if (req.file !== undefined && unsafeRelativePath(req.file))
    throw new AppError('INVALID_PARAMS', {
      issues: `file: "${printable(req.file)}" is not a safe path inside the repository (${unsafeRelativePath(req.file)})`,
    });
  const cat = await d.catalog.findByRepo(ref.repo);
  const explicit = explicitEndpoint(ref, eps);
  // Same repo id on the other hub is a fallback too: accepted only if it serves the same SHA-256.
  const ordered = explicit
    ? [explicit, ...eps.filter((e) => e.url !== explicit.url)]
    : [...eps.filter((e) => e.hub === ref.hub), ...eps.filter((e) => e.hub !== ref.hub)];
  const other = (hub: HubKind) =>
    cat
      ? hub === 'huggingface'
        ? cat.huggingface
        : cat.modelscope
      : { repo: ref.repo, revision: DEFAULT_REVISION[hub] };
  const listCands = ordered
    .map((endpoint) => {
      const r = endpoint.hub === ref.hub ? { repo: ref.repo, revision: ref.revision } : other(endpoint.hub);
      return r ? { endpoint, repo: r.repo, revision: endpoint.hub === ref.hub ? ref.revision : r.revision } : null;
    })
    .filter((x): x is { endpoint: EndpointInfo; repo: string; revision: string } => x !== null);
  // The listing must come from the hub the user named; the other hub is only a source of identical bytes.
  const primaryCands = listCands.filter((c) => c.endpoint.hub === ref.hub);
  const { index, listing } = await listFirst(primaryCands, d.endpoints.http, d.signal);
  const primary = primaryCands[index]!;
  const group = pickGroup(groupGgufFiles(listing.files), ref.repo, file, quant, listing.skipped);
  const files = await withHashes(group.files, primary, d.endpoints.http);
  const rest = listCands.filter((c) => c !== primary);
  const candidates: Candidate[] = [primary, ...rest].map((c) => ({ ...c, paths: files.map((f) => f.path) }));
  return {
    hub: ref.hub,
    repo: ref.repo,
    revision: ref.revision,
    catalogId: cat?.id ?? null,
    name: cat?.name ?? ref.repo.split('/')[1]!.replace(/-GGUF$/i, ''),
    quant: group.quant,
    files: files.map((f) => ({ path: f.path, sizeBytes: f.sizeBytes, sha256: f.sha256! })),
    candidates,
    skipped: listing.skipped,
  };
}

async function resolveCatalog(
  m: CatalogModel,
  quant: string,
  hfFiles: string[],
  msFiles: string[] | null,
  eps: EndpointInfo[],
  d: ResolveDeps,
): Promise<Resolved> {
  const cands = candidatesFor(
    eps,
    { repo: m.huggingface.repo, revision: m.huggingface.revision, paths: hfFiles },
    m.modelscope ? { repo: m.modelscope.repo, revision: m.modelscope.revision, paths: msFiles ?? hfFiles } : null,
  );
  const { index, listing } = await listFirst(cands, d.endpoints.http, d.signal);
  const primary = cands[index]!;
  // The catalog's file names are best knowledge; the live listing wins (a renamed file is found by its quant label).
  let paths = primary.paths;
  if (!paths.every((p) => listing.files.some((f) => f.path === p))) {
    const g = matchQuant(groupGgufFiles(listing.files), quant);
    if (!g)
      throw new AppError('HUB_QUANT_NOT_FOUND', {
        repo: primary.repo,
        quant,
        available: groupGgufFiles(listing.files)
          .map((x) => x.quant ?? x.path)
          .join(', '),
      });
    paths = g.files.map((f) => f.path);
  }
  const listed = paths.map((p) => listing.files.find((f) => f.path === p)!);
  const files = await withHashes(listed, primary, d.endpoints.http);
  // Canonical names: the Hugging Face file names when the listing came from there, else the catalog's.
  // (The catalog is a file people edit: its names are checked like a hub's.)
  const canonical =
    primary.endpoint.hub === 'huggingface'
      ? paths
      : hfFiles.length === paths.length && hfFiles.every(isSafeRelativePath)
        ? hfFiles
        : paths;
  const candidates = [{ ...primary, paths }, ...cands.filter((c) => c !== primary)];
  return {
    hub: 'huggingface',
    repo: m.huggingface.repo,
    revision: m.huggingface.revision,
    catalogId: m.id,
    name: m.name,
    quant,
    files: files.map((f, i) => ({ path: canonical[i]!, sizeBytes: f.sizeBytes, sha256: f.sha256! })),
    candidates,
    skipped: listing.skipped,
  };
}
