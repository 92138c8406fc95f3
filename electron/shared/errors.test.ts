/**
 * Error codes are the UI's vocabulary for failure: every code needs a message in each language with the same
 * placeholders, a sensible HTTP status, and AppError must survive the trip across IPC/HTTP as plain data.
 */
import { describe, expect, it } from 'vitest';
import {
  AppError,
  ErrorCode,
  ErrorInfo,
  errorMessages,
  formatError,
  httpStatus,
  pickLang,
  toErrorInfo,
  type Lang,
} from './errors';

const codes = ErrorCode.options;
const langs: Lang[] = ['en', 'zh-CN'];
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('errorMessages', () => {
  it.each(langs)('%s has exactly one message per code, no extras', (lang) => {
    expect(Object.keys(errorMessages[lang]).sort()).toEqual([...codes].sort());
    for (const c of codes) expect(errorMessages[lang][c].trim().length, c).toBeGreaterThan(0);
  });

  it.each(codes)('%s: zh-CN is translated and uses the same placeholders as en', (code) => {
    const en = errorMessages.en[code];
    const zh = errorMessages['zh-CN'][code];
    // Same placeholders: a translation that drops {{path}} hides which file is broken; one that adds a new name
    // would print "…" because core never sends it.
    expect(placeholders(zh)).toEqual(placeholders(en));
    expect(zh).not.toBe(en);
    // Translated means Chinese text outside the placeholders, not English left in place.
    expect(zh.replace(/\{\{\w+\}\}/g, '')).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('formatError', () => {
  it.each<{ lang: Lang; code: ErrorCode; params?: Record<string, string | number>; want: string }>([
    { lang: 'en', code: 'MODEL_NOT_FOUND', params: { path: '/m/x.gguf' }, want: 'No file at /m/x.gguf.' },
    { lang: 'zh-CN', code: 'MODEL_NOT_FOUND', params: { path: '/m/x.gguf' }, want: '/m/x.gguf 不存在。' },
    // Numbers are interpolated as written.
    {
      lang: 'en',
      code: 'SERVER_PORT_IN_USE',
      params: { port: 8080 },
      want: 'Port 8080 is already in use. Pick another with --port.',
    },
    {
      lang: 'en',
      code: 'MODEL_TRUNCATED',
      params: { path: 'a', reason: 'b' },
      want: 'a is incomplete (truncated or still downloading): b',
    },
    // A missing param shows an ellipsis, never the raw "{{path}}" or "undefined".
    { lang: 'en', code: 'MODEL_NOT_FOUND', want: 'No file at ….' },
    { lang: 'en', code: 'MODEL_NOT_FOUND', params: {}, want: 'No file at ….' },
    // 0 is a value, not a missing one.
    {
      lang: 'en',
      code: 'BACKEND_LOAD_TIMEOUT',
      params: { seconds: 0 },
      want: 'Loading the model made no progress for 0 s.',
    },
    // Unused params are ignored.
    { lang: 'en', code: 'BAD_JSON', params: { extra: 'x' }, want: 'The request body is not valid JSON.' },
    // Values are inserted literally: Windows paths contain "$", and a value that looks like a placeholder stays as is.
    {
      lang: 'en',
      code: 'MODEL_NOT_FOUND',
      params: { path: 'C:\\$Recycle.Bin\\$& $1' },
      want: 'No file at C:\\$Recycle.Bin\\$& $1.',
    },
    { lang: 'en', code: 'MODEL_NOT_FOUND', params: { path: '{{path}}' }, want: 'No file at {{path}}.' },
  ])('$lang $code $params', ({ lang, code, params, want }) => {
    expect(formatError(lang, code, params)).toBe(want);
  });

  it.each(codes)('%s: every placeholder is filled when its params are given', (code) => {
    const params = Object.fromEntries(placeholders(errorMessages.en[code]).map((k) => [k!, `<${k}>`]));
    for (const lang of langs) expect(formatError(lang, code, params)).not.toMatch(/\{\{|…/);
  });
});

describe('httpStatus', () => {
  it.each(codes)('%s maps to a 4xx or 5xx', (code) => {
    const s = httpStatus(code);
    expect(s).toBeGreaterThanOrEqual(400);
    expect(s).toBeLessThan(600);
  });

  it.each<[ErrorCode, number]>([
    // Client mistakes are 4xx so API clients do not retry them.
    ['INVALID_PARAMS', 400],
    ['BAD_JSON', 400],
    ['MODEL_NOT_GGUF', 400],
    ['UNAUTHORIZED', 401],
    ['FORBIDDEN_HOST', 403],
    ['FORBIDDEN_ORIGIN', 403],
    ['UNKNOWN_METHOD', 404],
    ['MODEL_NOT_FOUND', 404],
    ['BACKEND_BUSY', 409],
    ['PAYLOAD_TOO_LARGE', 413],
    ['UNSUPPORTED', 501],
    // OpenAI clients retry on 503; "no model running" is exactly that.
    ['BACKEND_NOT_READY', 503],
    // Too many requests waiting for the model: retry after the Retry-After the answer carries.
    ['BACKEND_QUEUE_FULL', 503],
    ['UPSTREAM_ERROR', 502],
    // An external server that fails our API's client is a bad gateway, not our own 500 (nor the client's 401).
    ['REMOTE_REFUSED', 502],
    ['REMOTE_AUTH', 502],
    ['REMOTE_TIMEOUT', 504],
    ['INTERNAL', 500],
    ['BACKEND_CRASHED', 500],
  ])('%s → %i', (code, status) => {
    expect(httpStatus(code)).toBe(status);
  });
});

describe('pickLang', () => {
  it.each<[string | null | undefined, Lang]>([
    [undefined, 'en'],
    [null, 'en'],
    ['', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['ZH-cn', 'zh-CN'],
    // Traditional Chinese readers get Simplified rather than English: closer, and the only Chinese we ship.
    ['zh-TW', 'zh-CN'],
    // The first preference decides; a later zh does not override an English first choice.
    ['en-GB, zh-CN;q=0.5', 'en'],
    ['fr-FR', 'en'],
    ['*', 'en'],
  ])('%j → %s', (header, want) => {
    expect(pickLang(header)).toBe(want);
  });
});

describe('AppError', () => {
  it('carries code, English message, params and details', () => {
    const e = new AppError('MODEL_CORRUPT', { path: '/m.gguf', reason: 'bad' }, 'raw');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AppError');
    expect(e.code).toBe('MODEL_CORRUPT');
    expect(e.message).toBe('/m.gguf is damaged: bad');
    expect(e.details).toBe('raw');
  });

  it('toInfo is plain, schema-valid data without undefined keys, and from() restores it', () => {
    const full = new AppError('MODEL_CORRUPT', { path: '/m.gguf', reason: 'bad' }, 'raw');
    const bare = new AppError('UNAUTHORIZED');
    for (const e of [full, bare]) {
      const info = e.toInfo();
      expect(ErrorInfo.parse(info)).toEqual(info);
      // JSON drops undefined keys anyway, but structured clone (IPC) keeps them; they must not be there.
      expect(Object.values(info)).not.toContain(undefined);
      const back = AppError.from(JSON.parse(JSON.stringify(info)));
      expect(back.toInfo()).toEqual(info);
    }
    expect(bare.toInfo()).toEqual({ code: 'UNAUTHORIZED', message: 'Missing or wrong access token.' });
  });
});

describe('toErrorInfo', () => {
  it.each<{ name: string; thrown: unknown; code: ErrorCode; reason?: string }>([
    { name: 'an AppError keeps its code', thrown: new AppError('BACKEND_OOM'), code: 'BACKEND_OOM' },
    // Anything else is our bug: INTERNAL, with the message as reason and the stack as details.
    { name: 'an Error', thrown: new RangeError('bad index'), code: 'INTERNAL', reason: 'bad index' },
    { name: 'a string', thrown: 'boom', code: 'INTERNAL', reason: 'boom' },
    { name: 'undefined', thrown: undefined, code: 'INTERNAL', reason: 'undefined' },
  ])('$name', ({ thrown, code, reason }) => {
    const info = toErrorInfo(thrown);
    expect(info.code).toBe(code);
    if (reason !== undefined) expect(info.params?.reason).toBe(reason);
    expect(ErrorInfo.safeParse(info).success).toBe(true);
  });

  it('keeps the stack of a non-AppError as details for bug reports', () => {
    const e = new Error('x');
    expect(toErrorInfo(e).details).toBe(e.stack);
  });
});
