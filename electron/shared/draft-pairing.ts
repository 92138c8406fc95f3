/**
 * Which draft model to suggest for speculative decoding: the catalog pairs drafts with targets (CatalogModel.drafts,
 * e.g. R1-Distill-Qwen-1.5B for the Qwen-based distills); an installed copy of a paired draft is offered by path,
 * one not installed yet is named so the user can download it. Pure; shared so the Model page computes it from the
 * catalog and library lists it already has. Table-tested in draft-pairing.test.ts.
 */
import type { CatalogModel, LibraryModel } from './models';

export interface DraftSuggestion {
  catalogId: string;
  name: string;
  /** An installed, readable copy smaller than the target; null when none is installed. */
  path: string | null;
  sizeBytes: number | null;
}

const samePath = (a: string, b: string) => a === b || a.replace(/\\/g, '/') === b.replace(/\\/g, '/');

/** The catalog entry a model file belongs to: its library entry's catalogId (downloads are tagged). */
export function catalogIdOf(modelPath: string, library: readonly LibraryModel[]): string | null {
  return library.find((m) => samePath(m.path, modelPath))?.catalogId ?? null;
}

export function draftSuggestions(
  modelPath: string,
  library: readonly LibraryModel[],
  catalog: readonly CatalogModel[],
): DraftSuggestion[] {
  const target = library.find((m) => samePath(m.path, modelPath));
  const entry = target?.catalogId ? catalog.find((c) => c.id === target.catalogId) : undefined;
  if (!target || !entry) return [];
  return entry.drafts.flatMap((id): DraftSuggestion[] => {
    const draft = catalog.find((c) => c.id === id);
    if (!draft) return [];
    const copies = library
      .filter((m) => m.catalogId === id && !m.error && m.sizeBytes < target.sizeBytes)
      .sort((a, b) => a.sizeBytes - b.sizeBytes);
    if (!copies.length) return [{ catalogId: id, name: draft.name, path: null, sizeBytes: null }];
    return copies.map((m) => ({ catalogId: id, name: draft.name, path: m.path, sizeBytes: m.sizeBytes }));
  });
}
