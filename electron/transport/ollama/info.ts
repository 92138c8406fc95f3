/**
 * The Ollama answers that describe models (/api/tags, /api/show, /api/ps, /api/version), built from the models
 * library and the backend's status. Pure. Names: core/api/model-names.ts (`<file stem slug>:latest`).
 */
import { createHash } from 'node:crypto';
import type { LibraryModel } from '../../shared/models';
import type { BackendStatus } from '../../shared/schemas';
import { loadable } from '../../core/api/jit-decide';
import { ollamaNameOf } from '../../core/api/model-names';

/** The Ollama release whose API this follows (clients compare versions to enable features). */
export const OLLAMA_COMPAT_VERSION = '0.12.6';

/** Ollama writes "7.6B", "494.03M". */
export function parameterSize(n: number | null): string {
  if (!n || n <= 0) return '';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  return String(Math.round(n));
}

/** The SHA-256 of a downloaded file; for others a stable id from the path (clients use it only to tell models apart). */
export function digestOf(m: Pick<LibraryModel, 'sha256' | 'path'>): string {
  return m.sha256 ?? createHash('sha256').update(m.path).digest('hex');
}

type Described = Pick<
  LibraryModel,
  'path' | 'architecture' | 'quantization' | 'parameterCount' | 'sha256' | 'sizeBytes' | 'addedAt'
>;

export function detailsOf(m: Described) {
  const family = m.architecture ?? '';
  return {
    parent_model: '',
    format: 'gguf',
    family,
    families: family ? [family] : null,
    parameter_size: parameterSize(m.parameterCount),
    quantization_level: m.quantization ?? '',
  };
}

const iso = (ms: number | null) => new Date(ms ?? 0).toISOString();

export function tagsOf(models: readonly LibraryModel[]) {
  return {
    models: loadable(models).map((m) => {
      const name = ollamaNameOf(m);
      return {
        name,
        model: name,
        modified_at: iso(m.addedAt),
        size: m.sizeBytes,
        digest: digestOf(m),
        details: detailsOf(m),
      };
    }),
  };
}

export function showOf(m: LibraryModel) {
  const arch = m.architecture ?? 'unknown';
  return {
    license: '',
    modelfile: `# Served by DeepLocal from ${m.path}\nFROM ${m.path}\n`,
    parameters: '',
    template: '',
    details: detailsOf(m),
    model_info: {
      'general.architecture': arch,
      'general.basename': m.name,
      ...(m.parameterCount ? { 'general.parameter_count': m.parameterCount } : {}),
      ...(m.contextLength ? { [`${arch}.context_length`]: m.contextLength } : {}),
    },
    capabilities: ['completion'],
    modified_at: iso(m.addedAt),
  };
}

/** The loaded model, if it serves or is loading; `unloadAt` from just-in-time loading (null: stays). */
export function psOf(status: BackendStatus, installed: readonly LibraryModel[], unloadAt: number | null) {
  const m = status.model;
  if (!m || !['ready', 'loading', 'starting'].includes(status.state)) return { models: [] };
  const lib = installed.find((x) => x.path === m.path);
  const described: Described = lib ?? {
    path: m.path,
    architecture: m.architecture,
    quantization: m.quantization,
    parameterCount: m.parameterCount,
    sha256: null,
    sizeBytes: m.sizeBytes,
    addedAt: null,
  };
  const name = ollamaNameOf(m);
  return {
    models: [
      {
        name,
        model: name,
        size: m.sizeBytes,
        digest: digestOf(described),
        details: detailsOf(described),
        // Ollama's "stays loaded" (keep_alive < 0) reads as a far-off date.
        expires_at: unloadAt ? iso(unloadAt) : '2318-01-01T00:00:00.000Z',
        size_vram: 0,
        context_length: status.options?.contextSize || m.contextLength || 0,
      },
    ],
  };
}
