/**
 * The same model in other quantizations (issue 14): which library entries are siblings of a model, and which of them
 * is the best higher-precision reference (the KL-divergence base, the comparison's reference). Pure.
 *
 * Siblings have the same architecture and the same parameter count (the sum of the tensors' element counts, which
 * quantizing does not change), never an error, and are not the model itself. Identity beyond the shapes, when known:
 * - a provenance chain links them (one was made from the other, or both from the same source, however many steps);
 * - otherwise, when both sides know their catalog entry (through their chain too), the entries must be the same;
 *   when both know their repo, the repos must be the same (a base model and its instruct tune share the shapes);
 * - when neither says (imported files), the shapes decide.
 */
import type { LibraryModel } from '../../shared/models';

/** Precision rank of a file type as a KL-divergence reference; 0 for everything below Q8_0 and unknown types. */
export function precisionRank(quant: string | null): number {
  switch (quant?.toUpperCase()) {
    case 'F32':
      return 3;
    case 'BF16':
    case 'F16':
      return 2;
    case 'Q8_0':
      return 1;
    default:
      return 0;
  }
}

/** Among equal ranks the order the brief names: F32, BF16, F16, Q8_0. */
const TIE_ORDER = ['F32', 'BF16', 'F16', 'Q8_0'];

class Groups {
  private parent = new Map<string, string>();
  find(k: string): string {
    let p = this.parent.get(k) ?? k;
    if (p !== k) {
      p = this.find(p);
      this.parent.set(k, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

const pathKey = (p: string) => `p:${p}`;
const shaKey = (s: string) => `s:${s.toLowerCase()}`;

/** Provenance groups: files linked by "made from" (by path, and by sha256 when both sides know it). */
function provenanceGroups(all: LibraryModel[]): Groups {
  const g = new Groups();
  for (const m of all) {
    if (m.sha256) g.union(pathKey(m.path), shaKey(m.sha256));
    const p = m.provenance;
    if (!p) continue;
    g.union(pathKey(m.path), pathKey(p.sourcePath));
    if (p.sourceSha256) g.union(pathKey(m.path), shaKey(p.sourceSha256));
  }
  return g;
}

interface Identity {
  group: string;
  catalogIds: Set<string>;
  repos: Set<string>;
}

function identities(all: LibraryModel[]): Map<string, Identity> {
  const g = provenanceGroups(all);
  const byGroup = new Map<string, { catalogIds: Set<string>; repos: Set<string> }>();
  for (const m of all) {
    const root = g.find(pathKey(m.path));
    const e = byGroup.get(root) ?? { catalogIds: new Set<string>(), repos: new Set<string>() };
    if (m.catalogId) e.catalogIds.add(m.catalogId);
    if (m.repo) e.repos.add(m.repo.toLowerCase());
    byGroup.set(root, e);
  }
  const out = new Map<string, Identity>();
  for (const m of all) {
    const root = g.find(pathKey(m.path));
    out.set(m.path, { group: root, ...byGroup.get(root)! });
  }
  return out;
}

const intersects = (a: Set<string>, b: Set<string>) => [...a].some((x) => b.has(x));

function sameModel(a: Identity, b: Identity): boolean {
  if (a.group === b.group) return true;
  if (a.catalogIds.size > 0 && b.catalogIds.size > 0) return intersects(a.catalogIds, b.catalogIds);
  if (a.repos.size > 0 && b.repos.size > 0) return intersects(a.repos, b.repos);
  return true;
}

/** The same model in other quantizations (library order kept). */
export function siblingsOf(target: LibraryModel, all: LibraryModel[]): LibraryModel[] {
  if (!target.architecture || target.parameterCount === null) return [];
  const ids = identities([target, ...all.filter((m) => m.path !== target.path)]);
  const mine = ids.get(target.path)!;
  return all.filter((m) => {
    if (m.path === target.path || m.id === target.id || m.error) return false;
    if (target.sha256 && m.sha256 && m.sha256.toLowerCase() === target.sha256.toLowerCase()) return false;
    if (m.architecture !== target.architecture || m.parameterCount !== target.parameterCount) return false;
    return sameModel(mine, ids.get(m.path)!);
  });
}

/**
 * The best reference for `target` among its siblings: the highest precision among F32/BF16/F16/Q8_0 that is more
 * precise than the target itself (F16 and BF16 count as equal); null when none. Ties: F32, BF16, F16, Q8_0, then
 * the smaller file (its logits are as good and cheaper to compute), then the path.
 */
export function bestReference(target: LibraryModel, siblings: LibraryModel[]): LibraryModel | null {
  return mostPrecise(
    siblings.filter((s) => s.path !== target.path),
    precisionRank(target.quantization),
  );
}

/**
 * The comparison's reference for a model and its siblings together: the most precise F32/BF16/F16/Q8_0 file among
 * them (the model itself when it is that one), ordered as bestReference; null when none is high-precision.
 */
export function familyReference(family: LibraryModel[]): LibraryModel | null {
  return mostPrecise(family, 0);
}

function mostPrecise(models: LibraryModel[], above: number): LibraryModel | null {
  const tie = (q: string | null) => TIE_ORDER.indexOf(q?.toUpperCase() ?? '');
  const candidates = models
    .filter((s) => !s.error && precisionRank(s.quantization) > above)
    .sort(
      (a, b) =>
        precisionRank(b.quantization) - precisionRank(a.quantization) ||
        tie(a.quantization) - tie(b.quantization) ||
        a.sizeBytes - b.sizeBytes ||
        a.path.localeCompare(b.path),
    );
  return candidates[0] ?? null;
}
