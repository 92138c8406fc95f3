/**
 * The dispatcher every transport shares: method-name check, zod validation, and errors as values. A gap here is a
 * gap in IPC, HTTP and WebSocket at once, so the tables below go through createDispatcher/invokeToEnvelope only.
 */
import { describe, expect, it } from 'vitest';
import { methodNames, type CallContext, type Handlers, type MethodName } from '../shared/contract';
import { AppError, type ErrorCode } from '../shared/errors';
import { codeOf } from '../test/error-codes';
import { createDispatcher, invokeToEnvelope } from './dispatch';

const ctx: CallContext = { transport: 'http' };

/** Handlers that record what they were given; individual tests replace one with their own behaviour. */
function recording(overrides: Partial<Record<MethodName, (p: unknown) => Promise<unknown>>> = {}) {
  const calls: { method: MethodName; params: unknown; ctx: CallContext }[] = [];
  const handlers = Object.fromEntries(
    methodNames.map((m) => [
      m,
      async (params: unknown, c: CallContext) => {
        calls.push({ method: m, params, ctx: c });
        return overrides[m] ? overrides[m]!(params) : { handled: m };
      },
    ]),
  ) as unknown as Handlers;
  return { calls, invoke: createDispatcher(handlers) };
}

describe('createDispatcher: method names', () => {
  it.each([
    'nope',
    '',
    'APP.INFO',
    'app.info ',
    // Prototype keys must never reach a handler lookup (Object.hasOwn, not `in`).
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
  ])('%j → UNKNOWN_METHOD, no handler runs', async (name) => {
    const { calls, invoke } = recording();
    expect(await codeOf(invoke(name, {}, ctx))).toBe('UNKNOWN_METHOD');
    expect(calls).toEqual([]);
  });

  it('a non-string method (bad JSON from a client) is UNKNOWN_METHOD, not a crash', async () => {
    const { invoke } = recording();
    expect(await codeOf(invoke(42 as unknown as string, {}, ctx))).toBe('UNKNOWN_METHOD');
    expect(await codeOf(invoke(null as unknown as string, {}, ctx))).toBe('UNKNOWN_METHOD');
  });

  it('bounds the echoed method name (it is attacker-controlled and ends up in logs and the UI)', async () => {
    const { invoke } = recording();
    const err = (await invoke('x'.repeat(10_000), {}, ctx).catch((e: unknown) => e)) as AppError;
    expect(String(err.params?.method).length).toBeLessThanOrEqual(100);
  });
});

describe('createDispatcher: params', () => {
  const rows: { method: MethodName; params: unknown; why: string }[] = [
    {
      method: 'app.info',
      params: { extra: 1 },
      why: 'empty params are a strict object: unknown keys are typos or probes',
    },
    { method: 'models.inspect', params: {}, why: 'required field missing' },
    { method: 'models.inspect', params: { path: '' }, why: 'empty path' },
    { method: 'models.inspect', params: { path: 'x'.repeat(5000) }, why: 'path longer than any OS allows' },
    {
      method: 'models.inspect',
      params: { path: '/m.gguf', recursive: true },
      why: 'strict object rejects unknown keys',
    },
    { method: 'models.inspect', params: { path: 42 }, why: 'wrong type' },
    {
      method: 'models.inspect',
      params: { path: 'models/m.gguf' },
      why: 'relative: would resolve against the server process folder',
    },
    { method: 'backend.start', params: { modelPath: './m.gguf' }, why: 'relative model path over the API' },
    { method: 'models.import', params: { path: 'm.gguf', mode: 'copy' }, why: 'relative import source' },
    { method: 'models.inspect', params: { path: '/m\u0000.gguf' }, why: 'NUL cuts the path short below Node' },
    { method: 'backend.logs', params: { limit: 0 }, why: 'below the minimum' },
    { method: 'backend.logs', params: { limit: 1.5 }, why: 'not an integer' },
    { method: 'backend.logs', params: { limit: '10' }, why: 'numbers are not coerced from strings' },
    { method: 'backend.logs', params: { limit: 100_000 }, why: 'above the maximum (bounded memory per call)' },
    {
      method: 'backend.start',
      params: { modelPath: '/m.gguf', options: { contextSize: -1 } },
      why: 'nested option out of range',
    },
    { method: 'backend.start', params: { modelPath: '/m.gguf', options: { cacheTypeV: 'q2_k' } }, why: 'nested enum' },
    { method: 'chat.start', params: { requestId: 'r1', messages: [] }, why: 'a reply needs at least one message' },
    {
      method: 'chat.start',
      params: { requestId: 'r1', messages: [{ role: 'tool', content: 'x' }] },
      why: 'unknown role',
    },
    {
      method: 'chat.start',
      params: { requestId: '', messages: [{ role: 'user', content: 'x' }] },
      why: 'empty requestId would match every stream',
    },
    {
      method: 'chat.start',
      params: { requestId: 'r1', messages: [{ role: 'user', content: 'x' }], sampling: { temperature: 9 } },
      why: 'sampling out of range',
    },
    { method: 'settings.update', params: { language: 'fr' }, why: 'unsupported language' },
    { method: 'app.info', params: [], why: 'an array is not an object' },
    { method: 'app.info', params: 'x', why: 'a string is not an object' },
  ];

  it.each(rows)('$method $params → INVALID_PARAMS ($why)', async ({ method, params }) => {
    const { calls, invoke } = recording();
    const err = await invoke(method, params, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_PARAMS');
    // The UI shows `issues`; bug reports get the raw zod issues in details. Both are bounded.
    expect(String((err as AppError).params?.issues).length).toBeGreaterThan(0);
    expect(String((err as AppError).params?.issues).length).toBeLessThanOrEqual(500);
    expect((err as AppError).details).toContain('"path"');
    expect(calls).toEqual([]);
  });

  it('passes parsed params and the call context to the handler', async () => {
    const { calls, invoke } = recording();
    expect(await invoke('models.inspect', { path: '/m.gguf' }, ctx)).toEqual({ handled: 'models.inspect' });
    expect(calls).toEqual([{ method: 'models.inspect', params: { path: '/m.gguf' }, ctx }]);
  });

  it('treats missing params as {} (clients may omit them for parameterless methods)', async () => {
    const { calls, invoke } = recording();
    await invoke('app.info', undefined, ctx);
    await invoke('backend.status', null, ctx);
    expect(calls.map((c) => c.params)).toEqual([{}, {}]);
  });

  // zod 4 keeps `.default()` inside `.partial()`: LoadOptions.partial() turns { threads: 2 } into a full object of
  // defaults. settings.update then overwrites every saved load option, and backend.start overrides the saved
  // settings with defaults (and saves them). Fix in schemas.ts: declare the fields once without defaults, build
  // LoadOptions from them with `.default()`, and a LoadOptionsPatch = z.strictObject(fields).partial() used by
  // SettingsPatch.loadOptions and backend.start's options.
  it('a partial loadOptions patch stays partial after validation (no defaults filled in)', async () => {
    const { calls, invoke } = recording();
    await invoke('settings.update', { loadOptions: { threads: 2 } }, ctx);
    expect(calls[0]!.params).toEqual({ loadOptions: { threads: 2 } });
  });
  it('backend.start options stay partial after validation, so saved settings fill the rest', async () => {
    const { calls, invoke } = recording();
    await invoke('backend.start', { modelPath: '/m.gguf', options: { contextSize: 4096 } }, ctx);
    expect(calls[0]!.params).toEqual({ modelPath: '/m.gguf', options: { contextSize: 4096 } });
  });
});

describe('invokeToEnvelope', () => {
  it('wraps a result as { ok: true, result }', async () => {
    const { invoke } = recording({ 'backend.status': async () => ({ state: 'stopped' }) });
    expect(await invokeToEnvelope(invoke, 'backend.status', {}, ctx)).toEqual({
      ok: true,
      result: { state: 'stopped' },
    });
  });

  it.each<{ name: string; method: string; params: unknown; thrown?: unknown; code: ErrorCode; reason?: RegExp }>([
    { name: 'unknown method', method: 'nope', params: {}, code: 'UNKNOWN_METHOD' },
    { name: 'invalid params', method: 'models.inspect', params: {}, code: 'INVALID_PARAMS' },
    // A handler's AppError crosses the transport with its code and params intact, so the UI can translate it.
    {
      name: 'handler AppError',
      method: 'models.inspect',
      params: { path: '/m.gguf' },
      thrown: new AppError('MODEL_NOT_GGUF', { path: '/m.gguf' }),
      code: 'MODEL_NOT_GGUF',
    },
    // Anything else is a bug: INTERNAL with the message as reason, never a rejected promise across IPC.
    {
      name: 'TypeError',
      method: 'app.info',
      params: {},
      thrown: new TypeError('x is undefined'),
      code: 'INTERNAL',
      reason: /x is undefined/,
    },
    {
      name: 'a thrown string',
      method: 'app.info',
      params: {},
      thrown: 'plain string',
      code: 'INTERNAL',
      reason: /plain string/,
    },
  ])('$name → { ok: false, error.code: $code }', async ({ method, params, thrown, code, reason }) => {
    const { invoke } = recording({
      'models.inspect': async () => {
        throw thrown;
      },
      'app.info': async () => {
        throw thrown;
      },
    });
    const env = await invokeToEnvelope(invoke, method, params, ctx);
    expect(env.ok).toBe(false);
    if (env.ok) return;
    expect(env.error.code).toBe(code);
    expect(env.error.message.length).toBeGreaterThan(0);
    if (reason) expect(String(env.error.params?.reason)).toMatch(reason);
    // The envelope is plain data: it must survive structured clone (IPC) and JSON (HTTP) unchanged.
    expect(JSON.parse(JSON.stringify(env))).toEqual(env);
  });

  it("keeps an AppError's params and details in the envelope", async () => {
    const { invoke } = recording({
      'models.inspect': async () => {
        throw new AppError('MODEL_TRUNCATED', { path: '/m.gguf', reason: 'short' }, 'raw detail');
      },
    });
    const env = await invokeToEnvelope(invoke, 'models.inspect', { path: '/m.gguf' }, ctx);
    expect(env).toEqual({
      ok: false,
      error: {
        code: 'MODEL_TRUNCATED',
        message: expect.stringContaining('/m.gguf'),
        params: { path: '/m.gguf', reason: 'short' },
        details: 'raw detail',
      },
    });
  });
});
