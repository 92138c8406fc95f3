/**
 * What the vLLM supervisor asks a running `vllm serve` and how it reads its output: GET /health (open, no key),
 * GET /v1/models (with the key: lists the served name once the engine serves), and a line splitter that also splits
 * on a bare \r (tqdm redraws its progress bars with \r, so each redraw is a line).
 */
import { AppError } from '../../../shared/errors';
import type { Health } from '../backend';
import { modelsListName } from './launch';

/** GET /health: 200 ok, another status not ready, no answer unreachable (nothing listens until the model is loaded). */
export async function probeVllmHealth(fetchFn: typeof fetch, port: number): Promise<Health> {
  try {
    const res = await fetchFn(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status === 200 ? 'ok' : 'not-ready';
  } catch {
    return 'unreachable';
  }
}

/** GET /v1/models with the key: true once it lists the served name, false before, an error when it never will. */
export async function vllmModelsReady(
  fetchFn: typeof fetch,
  port: number,
  apiKey: string,
  servedName: string,
  modelPath: string,
): Promise<boolean | AppError> {
  try {
    const res = await fetchFn(`http://127.0.0.1:${port}/v1/models`, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (res.status !== 200) return false;
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      return false;
    }
    if (modelsListName(body, servedName)) return true;
    return new AppError('MODEL_LOAD_FAILED', { reason: `/v1/models does not list "${servedName}"`, path: modelPath });
  } catch {
    return false;
  }
}

/** Splits a stream into lines on \n, \r\n or \r; a partial last line waits for its end (bounded). */
export function crLineSplitter(onLine: (line: string) => void, maxLine = 64 * 1024): (chunk: Buffer) => void {
  let rest = '';
  return (chunk) => {
    const parts = (rest + chunk.toString('utf8')).split(/\r\n|\r|\n/);
    rest = parts.pop() ?? '';
    if (rest.length > maxLine) rest = rest.slice(-maxLine);
    for (const line of parts) if (line.trim()) onLine(line);
  };
}
