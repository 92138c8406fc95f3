/**
 * The per-model comparison of quantizations and the switch to another one (issue 14 §3): quant.compare and
 * backend.switchModel. This file gathers (library, headers, plans, profiles, cached quality results, catalog, the
 * tool's types); core/quant/compare*.ts decide. The rows: the model and its installed siblings (quant/siblings.ts),
 * the quants of its catalog entry not installed (downloadable), and the types the bundled llama-quantize could make
 * from the most precise local sibling. A repo without a catalog entry is not listed here: that needs the hub (a
 * network round trip per comparison), so only catalog entries give download rows.
 */
import path from 'node:path';
import type { Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { CatalogModel, HardwareInput, KvType, LibraryModel } from '../../shared/models';
import type { EvalTextId, QuantComparison, QuantType } from '../../shared/quant';
import { defaultLoadOptions, type BackendStatus, type LoadOptions } from '../../shared/schemas';
import { loadContext } from '../api/jit-fit';
import type { Backend } from '../backends/backend';
import type { ProfileStore } from '../models/profiles';
import { buildComparison, type RowInput } from '../quant/compare';
import { measuredTps, planScaled, readFileFacts, type FileFacts } from '../quant/compare-facts';
import { switchOptions, SWITCH_DROPS_SPECULATIVE, withoutSpeculative } from '../quant/compare-switch';
import { estimateQuantBytes } from '../quant/quantize';
import { familyReference, siblingsOf } from '../quant/siblings';
import { expandHome } from '../util/safe-path';
import type { ModelsFeature } from './models';
import type { QuantFeature } from './quant';

export type CompareHandlers = Pick<Handlers, 'quant.compare' | 'backend.switchModel'>;

export interface CompareDeps {
  models: ModelsFeature;
  quant: QuantFeature;
  /** Auto-tune's saved profiles (measured generation tok/s). */
  profiles: ProfileStore;
  backend: Backend;
  /** backend.start as the user would call it (start steps, recent models). */
  start: (modelPath: string, options: Partial<LoadOptions>) => Promise<BackendStatus>;
  /**
   * The user's settings (settings.loadOptions: the context the comparison plans with, and what the switch goes back
   * to for what belonged to the old file). Absent: the running options, else the defaults.
   */
  settings?: () => Promise<{ loadOptions: LoadOptions }>;
  log: (msg: string) => void;
}

/** Types worth making from a high-precision source: quantized ones (not float copies, not ternary/MoE-only). */
const MAKEABLE = new Set<QuantType['family']>(['legacy', 'k', 'i']);

const RUNNING = new Set<BackendStatus['state']>(['ready', 'starting', 'loading']);

const upper = (s: string | null) => (s ?? '').toUpperCase();
const labelOf = (m: LibraryModel) => m.quantization ?? path.basename(m.path).replace(/\.gguf$/i, '');

export function createQuantCompare(d: CompareDeps): { handlers: CompareHandlers } {
  const userOptions = async (): Promise<LoadOptions> => {
    if (d.settings) return (await d.settings()).loadOptions;
    return d.backend.status().options ?? defaultLoadOptions();
  };
  return {
    handlers: {
      'quant.compare': ({ modelPath, text }) => compareModel(d, modelPath, text, userOptions),
      'backend.switchModel': ({ modelPath }) => switchModel(d, modelPath, userOptions),
    },
  };
}

interface Env {
  hw: HardwareInput;
  options: LoadOptions;
  kv: KvType;
}

const planOf = (ff: FileFacts, bytes: number, e: Env) =>
  planScaled(ff, bytes, e.hw, loadContext(e.options, ff.info.contextLength), e.kv);

async function installedRow(d: CompareDeps, m: LibraryModel, ff: FileFacts | null, e: Env): Promise<RowInput> {
  const [results, measured] = await Promise.all([
    d.quant.results(m.path).catch((err: unknown) => {
      d.log(`quant.compare: no quality results for ${m.path}: ${(err as Error).message}`);
      return [];
    }),
    measuredTps(d.profiles, m.path),
  ]);
  return {
    quant: labelOf(m),
    bitsPerWeight: m.parameterCount ? (m.sizeBytes * 8) / m.parameterCount : null,
    sizeBytes: m.sizeBytes,
    availability: 'installed',
    libraryId: m.id,
    path: m.path,
    download: null,
    makeFrom: null,
    provenance: m.provenance,
    plan: ff ? planOf(ff, ff.info.sizeBytes, e) : null,
    measuredTps: measured,
    results,
  };
}

async function catalogEntry(d: CompareDeps, family: LibraryModel[]): Promise<CatalogModel | null> {
  try {
    const id = family.map((m) => m.catalogId).find((x): x is string => !!x);
    if (id) return await d.models.catalog.get(id);
    const repo = family.map((m) => m.repo).find((x): x is string => !!x);
    return repo ? await d.models.catalog.findByRepo(repo) : null;
  } catch (err) {
    d.log(`quant.compare: catalog entry not read: ${(err as Error).message}`);
    return null;
  }
}

/** The catalog's quants of the entry that are not installed, as download rows planned like the target. */
function downloadRows(entry: CatalogModel, family: LibraryModel[], target: FileFacts, e: Env): RowInput[] {
  const have = new Set(family.map((m) => upper(m.quantization)));
  const files = new Set(family.map((m) => path.basename(m.path).toLowerCase()));
  return entry.quants
    .filter((q) => !have.has(upper(q.id)) && !files.has(path.basename(q.files[0]!).toLowerCase()))
    .map((q) => ({
      quant: q.id,
      bitsPerWeight: q.bitsPerWeight,
      sizeBytes: q.sizeBytes,
      availability: 'download' as const,
      libraryId: null,
      path: null,
      download: { catalogId: entry.id, quant: q.id },
      makeFrom: null,
      provenance: null,
      plan: planOf(target, q.sizeBytes, e),
      measuredTps: null,
      results: [],
    }));
}

/** The types the tool could make from `src` that are not installed and would be smaller than it. */
function makeRows(types: QuantType[], src: FileFacts, family: LibraryModel[], e: Env): RowInput[] {
  const have = new Set(family.map((m) => upper(m.quantization)));
  const params = src.info.parameterCount ?? 0;
  const rows: RowInput[] = [];
  for (const t of types) {
    if (!MAKEABLE.has(t.family) || have.has(upper(t.id))) continue;
    const bytes =
      estimateQuantBytes(src.tensors, t, src.first.dataOffset) ??
      (t.bitsPerWeight && params ? Math.round((t.bitsPerWeight * params) / 8) : null);
    if (bytes !== null && bytes >= src.info.sizeBytes) continue;
    rows.push({
      quant: t.id,
      bitsPerWeight: t.bitsPerWeight,
      sizeBytes: bytes ?? 0,
      availability: 'make',
      libraryId: null,
      path: null,
      download: null,
      makeFrom: src.info.path,
      provenance: null,
      plan: bytes === null ? null : planOf(src, bytes, e),
      measuredTps: null,
      results: [],
    });
  }
  return rows;
}

async function compareModel(
  d: CompareDeps,
  modelPath: string,
  asked: EvalTextId | undefined,
  userOptions: () => Promise<LoadOptions>,
): Promise<QuantComparison> {
  const file = path.resolve(expandHome(modelPath));
  const all = await d.models.library.list();
  const target = all.find((m) => path.resolve(m.path) === file);
  if (!target) throw new AppError('MODEL_NOT_INSTALLED', { model: modelPath });
  // The target's own header must read (MODEL_NOT_FOUND, MODEL_NOT_GGUF … otherwise); a sibling's may fail quietly.
  const targetFacts = await readFileFacts(target.path);
  const family = [target, ...siblingsOf(target, all)];
  const reference = familyReference(family);
  const [hw, options] = await Promise.all([d.models.hardware(), userOptions()]);
  const e: Env = { hw, options, kv: options.cacheTypeK === 'bf16' ? 'f16' : options.cacheTypeK };

  const facts = new Map<string, FileFacts | null>([[target.path, targetFacts]]);
  for (const m of family.slice(1)) {
    facts.set(
      m.path,
      await readFileFacts(m.path).catch((err: unknown) => {
        d.log(`quant.compare: ${m.path} not read: ${(err as Error).message}`);
        return null;
      }),
    );
  }
  const rows = await Promise.all(family.map((m) => installedRow(d, m, facts.get(m.path) ?? null, e)));
  // The text: the one asked for, else the one the model was last measured on, else English.
  const text =
    asked ?? rows[0]!.results.slice().sort((a, b) => b.measuredAt - a.measuredAt)[0]?.text ?? ('en' as EvalTextId);

  const entry = await catalogEntry(d, family);
  if (entry) rows.push(...downloadRows(entry, family, targetFacts, e));

  const src = reference ? facts.get(reference.path) : null;
  if (src) {
    const types = await d.quant.types().catch((err: unknown) => {
      d.log(`quant.compare: no types to make (${(err as Error).message})`);
      return [] as QuantType[];
    });
    rows.push(...makeRows(types, src, family, e));
  }

  const st = d.backend.status();
  return buildComparison({
    modelPath: target.path,
    name: target.name,
    text,
    referencePath: reference?.path ?? null,
    runningPath: RUNNING.has(st.state) ? (st.model?.path ?? null) : null,
    catalogId: entry?.id ?? null,
    repo: entry?.huggingface.repo ?? family.map((m) => m.repo).find((x): x is string => !!x) ?? null,
    rows,
  });
}

/**
 * Starts `modelPath` with the options the backend runs with now, minus what belonged to the old file
 * (quant/compare-switch.ts). backend.start stops the old run first: a reply streaming then ends as stopped (its
 * text so far kept), and the conversation goes on with the new model (conversations are not tied to one).
 */
async function switchModel(
  d: CompareDeps,
  modelPath: string,
  userOptions: () => Promise<LoadOptions>,
): Promise<BackendStatus> {
  const st = d.backend.status();
  const file = path.resolve(expandHome(modelPath));
  if (!RUNNING.has(st.state) || !st.model || !st.options)
    throw new AppError('MODEL_NOT_LOADED', { model: path.basename(file), loaded: '—' });
  if (st.state === 'ready' && st.model.path === file) return st;
  const user = await userOptions();
  const profile = await d.profiles.read(st.model.path).catch(() => null);
  const options = switchOptions(st.options, user, profile?.options ?? null, st.recovery?.steps ?? []);
  d.log(`switching ${st.model.path} → ${file} with ${JSON.stringify(options)}`);
  try {
    return await d.start(file, options);
  } catch (err) {
    if (!(err instanceof AppError) || !SWITCH_DROPS_SPECULATIVE.has(err.code)) throw err;
    d.log(`switch: ${err.code} for ${file}; starting it without speculative decoding`);
    return d.start(file, withoutSpeculative(options, user));
  }
}
