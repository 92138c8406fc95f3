/** Generic contract dispatcher: name check, zod validation of params, call, errors as values. Shared by all transports. */
import { z } from 'zod';
import { isMethodName, methods, type CallContext, type Envelope, type Handlers } from '../shared/contract';
import { AppError, toErrorInfo } from '../shared/errors';

export type Invoke = (method: string, params: unknown, ctx: CallContext) => Promise<unknown>;

export function createDispatcher(handlers: Handlers): Invoke {
  return async (method, rawParams, ctx) => {
    if (!isMethodName(method)) throw new AppError('UNKNOWN_METHOD', { method: String(method).slice(0, 100) });
    const spec = methods[method];
    const parsed = spec.params.safeParse(rawParams ?? {});
    if (!parsed.success) {
      throw new AppError(
        'INVALID_PARAMS',
        { issues: z.prettifyError(parsed.error).slice(0, 500) },
        JSON.stringify(parsed.error.issues).slice(0, 4000),
      );
    }
    const handler = handlers[method] as (p: unknown, c: CallContext) => Promise<unknown>;
    return handler(parsed.data, ctx);
  };
}

export async function invokeToEnvelope(
  invoke: Invoke,
  method: string,
  params: unknown,
  ctx: CallContext,
): Promise<Envelope> {
  try {
    return { ok: true, result: await invoke(method, params, ctx) };
  } catch (e) {
    return { ok: false, error: toErrorInfo(e) };
  }
}
