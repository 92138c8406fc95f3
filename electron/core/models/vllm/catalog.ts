/**
 * The vLLM part of the catalog (catalog.json `vllm`): safetensors snapshots of the DeepSeek distills. Read from the
 * same files as the GGUF catalog (bundled, then the data folder's entries added or replacing by id); a file whose
 * vllm list does not parse is skipped with a log line, never hiding the others.
 */
import fs from 'node:fs/promises';
import { z } from 'zod';
import { VllmCatalogEntry } from '../../../shared/models';

const VllmPart = z.looseObject({ vllm: z.array(VllmCatalogEntry).optional() });

async function readPart(file: string, log: (m: string) => void): Promise<VllmCatalogEntry[]> {
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  try {
    return VllmPart.parse(JSON.parse(raw)).vllm ?? [];
  } catch (e) {
    log(`vLLM catalog entries in ${file} are unreadable: ${(e as Error).message.slice(0, 300)}`);
    return [];
  }
}

export async function readVllmCatalog(
  paths: { bundled: string[]; extra: string[] },
  log: (m: string) => void = () => undefined,
): Promise<VllmCatalogEntry[]> {
  const byId = new Map<string, VllmCatalogEntry>();
  for (const f of paths.bundled) {
    const entries = await readPart(f, log);
    if (entries.length) {
      for (const e of entries) byId.set(e.id, e);
      break;
    }
  }
  for (const f of paths.extra) for (const e of await readPart(f, log)) byId.set(e.id, e);
  return [...byId.values()];
}
