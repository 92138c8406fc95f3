/**
 * Just-in-time loading, the decision (pure; table-tested in jit-decide.test.ts): for an API request naming `model`,
 * serve the model that is loaded, look the name up among the installed ones, load another, or refuse.
 *
 *  - No name: the loaded model serves (or BACKEND_NOT_READY).
 *  - The loaded (or loading) model answers to the name (model-names.ts): it serves as is.
 *  - An installed model answers to it: it is loaded (JIT on), or MODEL_NOT_LOADED (JIT off, Ollama).
 *  - A vLLM run or an external server is running (always the user's: JIT loads GGUFs on llama.cpp only): it is
 *    not swapped for a load. An Ollama client naming another model is told MODEL_BACKEND_IN_USE; an OpenAI one is
 *    served by it, as with JIT off.
 *  - Nothing answers: MODEL_NOT_INSTALLED. OpenAI clients (`strict: false`) often send a placeholder name
 *    ("gpt-4o", whatever they were configured with) and were always answered by the loaded model: with one
 *    loaded they still are; so are they with JIT off (today's behaviour).
 */
import type { BackendKind } from '../../shared/backends';
import { AppError } from '../../shared/errors';
import type { BackendState } from '../../shared/schemas';
import { answersTo, findModel, type NamedModel } from './model-names';

export type JitAction<M> =
  { kind: 'serve' } | { kind: 'lookup' } | { kind: 'load'; model: M } | { kind: 'error'; error: AppError };

export interface JitRequest {
  model?: string | undefined;
  /** Ollama clients name a model on purpose; OpenAI ones often do not mean it (see above). */
  strict: boolean;
}

export interface Current {
  state: BackendState;
  model: NamedModel | null;
  /** The running kind (BackendStatus.kind); absent: llama-cpp. */
  kind?: BackendKind;
  /** An external server's URL, as MODEL_BACKEND_IN_USE names where it runs (else the kind's name: no words to translate). */
  where?: string;
}

/**
 * The installed models a request may name and load: those that read, and GGUF only (a vLLM snapshot folder, format
 * 'safetensors', is started from the Backends page; backend.start would refuse the folder).
 */
export function loadable<M extends { error: unknown; format?: string | undefined }>(installed: readonly M[]): M[] {
  return installed.filter((m) => m.error === null && m.format !== 'safetensors');
}

/** A run that serves or will: requests wait for it rather than load something else. */
export const isActive = (s: BackendState) => s === 'ready' || s === 'loading' || s === 'starting';

/** `installed`: null until looked up (the decision asks for it with 'lookup' only when the loaded model does not answer). */
export function decide<M extends NamedModel>(
  req: JitRequest,
  current: Current,
  installed: readonly M[] | null,
  jitEnabled: boolean,
): JitAction<M> {
  const name = (req.model ?? '').trim();
  const active = isActive(current.state) && current.model !== null;
  const loadedName = current.model?.name ?? '(none)';
  if (!name) return active ? { kind: 'serve' } : { kind: 'error', error: new AppError('BACKEND_NOT_READY') };
  if (active && answersTo(current.model!, name)) return { kind: 'serve' };
  if (installed === null) return { kind: 'lookup' };
  const found = findModel(installed, name);
  if (!found) {
    if (!req.strict && active) return { kind: 'serve' };
    return { kind: 'error', error: new AppError('MODEL_NOT_INSTALLED', { model: name.slice(0, 200) }) };
  }
  if (active && found.path === current.model!.path) return { kind: 'serve' };
  const kind = current.kind ?? 'llama-cpp';
  if (active && kind !== 'llama-cpp') {
    if (!req.strict) return { kind: 'serve' };
    return {
      kind: 'error',
      error: new AppError('MODEL_BACKEND_IN_USE', {
        model: name.slice(0, 200),
        loaded: loadedName,
        where: current.where ?? (kind === 'vllm' ? 'vLLM' : kind),
      }),
    };
  }
  if (!jitEnabled) {
    if (!req.strict && active) return { kind: 'serve' };
    return {
      kind: 'error',
      error: new AppError('MODEL_NOT_LOADED', { model: name.slice(0, 200), loaded: active ? loadedName : '—' }),
    };
  }
  return { kind: 'load', model: found };
}
