/** A library model's provenance ("made from … as …") as data for one line. Pure, tested in provenance.test.ts. */
import type { EvalTextId, Provenance } from '@shared/provenance';

export type ImatrixPart = { kind: 'none' } | { kind: 'computed'; text: EvalTextId } | { kind: 'file'; file: string };

/** The importance matrix as the line says it: none, computed on a bundled text, or the file's name. */
export function imatrixPart(p: Pick<Provenance, 'imatrix'>): ImatrixPart {
  const m = p.imatrix;
  if (!m) return { kind: 'none' };
  if (m.kind === 'computed' && m.text) return { kind: 'computed', text: m.text };
  return { kind: 'file', file: m.path.split(/[\\/]/).pop() || m.path };
}

/** A llama.cpp build as people compare them: a full commit hash shortened to 7, anything else as it is. */
export function shortBuild(build: string): string {
  const b = build.trim();
  return /^[0-9a-f]{40}$/i.test(b) ? b.slice(0, 7) : b;
}
