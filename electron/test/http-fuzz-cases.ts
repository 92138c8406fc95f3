/**
 * Random HTTP/1.1 requests for the transport fuzz test (electron/transport/http-fuzz.int.test.ts), drawn from a
 * seeded PRNG so a failure replays exactly. A case is the raw bytes (as a latin1 string; PORT and TOKEN are filled
 * in by the test, and `\0SPLIT\0` separates separate writes) plus tags naming what was unusual about it. The PRNG,
 * int/pick and forEachConcurrently serve the Ollama fuzz test too.
 */
export type Rand = () => number;

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; plenty for choosing test inputs. */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `fn` over `items` with at most `concurrency` of them in flight, in order of start. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export interface FuzzCase {
  bytes: string;
  method: string;
  tags: string[];
  /**
   * The bytes stop before the request does (a body shorter than declared, chunking without its last chunk): only
   * the client's end of input lets the server answer, so the client half-closes after writing. Complete requests
   * keep the connection open until answered, as real clients do (Node drops a request whose client half-closes).
   */
  incomplete: boolean;
}

const SPLIT = '\u0000SPLIT\u0000';

/** A whole number in [0, n). */
export const int = (r: Rand, n: number) => Math.floor(r() * n);
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const chance = (r: Rand, p: number) => r() < p;
/** UTF-8 bytes of a string, one latin1 char per byte (what goes on the wire). */
const utf8 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
const randomBytes = (r: Rand, n: number, from = 0, to = 256) =>
  Array.from({ length: n }, () => String.fromCharCode(from + int(r, to - from))).join('');

const METHODS = ['PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'get', 'PROPFIND', 'BREW', ''];
/** Read-only methods: a fuzz case with the real token must not change settings or delete models. */
const SAFE_RPC = [
  'app.info',
  'settings.get',
  'backend.status',
  'backend.logs',
  'alerts.list',
  'conversations.list',
  'downloads.list',
  'models.catalog',
  'models.library',
  'telemetry.status',
];
const PATHS = [
  '/',
  '/health',
  '/api/rpc/',
  '/api/ws',
  '/v1/models',
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/',
  '/v1/embeddings',
  '/metrics',
  '/index.html',
  '/assets/app.js',
  '/favicon.ico',
  '/api/',
  '/api/rpc/nope',
];

function basePath(r: Rand, tags: string[]): string {
  if (chance(r, 0.35)) {
    tags.push('rpc');
    return `/api/rpc/${chance(r, 0.8) ? pick(r, SAFE_RPC) : randomBytes(r, 1 + int(r, 12), 0x21, 0x7f).replace(/[?#%/]/g, 'x')}`;
  }
  return pick(r, PATHS);
}

function mutatePath(r: Rand, p: string, tags: string[]): string {
  // About half the paths stay as they are, so that most cases get past Node's parser to our handler.
  const roll = int(r, 26);
  switch (roll) {
    case 0:
      tags.push('double-slash');
      return `//${pick(r, ['x:99999', 'evil.example', '127.0.0.1', 'x:-1', '[::1', ''])}${p}`;
    case 1:
      tags.push('bad-escape');
      return p + pick(r, ['%', '%Z', '%ZZ', '%C3%28', '%FF', '%E4%B8', '%00', '%2e%2e/%2e%2e/etc/passwd']);
    case 2:
      tags.push('good-escape');
      return p.replace(/[a-z]/, (ch) => `%${ch.charCodeAt(0).toString(16)}`);
    case 3:
      tags.push('dot-segments');
      return `${p}/${pick(r, ['..', '../..', '../../../../etc/passwd', './.', '..%2f..', '.%2e/'])}`;
    case 4:
      tags.push('unicode');
      return p + utf8(pick(r, ['中文', 'é', '\u{1F600}', '\u202e', '\ufeff']));
    case 5:
      tags.push('long-path');
      return p + '/' + 'a'.repeat(pick(r, [1000, 8000, 20_000, 70_000]));
    case 6:
      tags.push('query');
      return `${p}?${randomBytes(r, int(r, 40), 0x21, 0x7f).replace(/#/g, '')}`;
    case 7:
      tags.push('absolute-form');
      return `${pick(r, ['http', 'https', 'ftp', 'HTTP', 'ws'])}://${pick(r, ['127.0.0.1:PORT', 'localhost:PORT', '[::1]:PORT', 'x:99999', 'evil.example:PORT', '127.0.0.1', 'a:b@127.0.0.1:PORT', '[::1', '%zz'])}${p}`;
    case 8:
      tags.push('asterisk');
      return '*';
    case 9:
      tags.push('backslash');
      return p.replace(/\//g, '\\');
    case 10:
      tags.push('raw-bytes');
      return p + randomBytes(r, 1 + int(r, 8), 0x80, 0x100);
    case 11:
      tags.push('control-char');
      return p + String.fromCharCode(int(r, 0x20));
    case 12:
      tags.push('no-leading-slash');
      return p.replace(/^\//, '');
    default:
      return p;
  }
}

function requestLine(r: Rand, method: string, target: string, tags: string[]): { line: string; version: string } {
  const version = chance(r, 0.95)
    ? 'HTTP/1.1'
    : pick(r, ['HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', 'HTTX/1.1', '']);
  if (version !== 'HTTP/1.1') tags.push(`version:${version || 'none'}`);
  const sep = chance(r, 0.99) ? ' ' : pick(r, ['  ', '\t']);
  if (sep !== ' ') tags.push('odd-separator');
  return { line: `${method}${sep}${target}${version ? ' ' + version : ''}`, version };
}

interface Head {
  lines: string[];
  body: string;
}

function hostHeaders(r: Rand, tags: string[]): string[] {
  if (chance(r, 0.75)) return ['Host: 127.0.0.1:PORT'];
  tags.push('odd-host');
  return pick(r, [
    [],
    ['Host: 127.0.0.1:PORT', 'Host: evil.example'],
    ['Host: localhost:PORT'],
    ['Host: [::1]:PORT'],
    ['Host: x:99999'],
    ['Host: evil.example:PORT'],
    ['Host: '],
    ['Host: [::1'],
    ['Host: 127.0.0.1:PORT, evil.example'],
  ]);
}

function otherHeaders(r: Rand, method: string, tags: string[]): Head & { incomplete: boolean } {
  let incomplete = false;
  const lines: string[] = [];
  if (chance(r, 0.6))
    lines.push(
      pick(r, [
        'Authorization: Bearer TOKEN',
        'Authorization: Bearer TOKEN',
        'X-Api-Key: TOKEN',
        'Authorization: Bearer nope',
        'Authorization: Basic Zm9vOmJhcg==',
        'Authorization: Bearer ' + '\xff'.repeat(3),
      ]),
    );
  if (chance(r, 0.2)) {
    tags.push('origin');
    lines.push(
      `Origin: ${pick(r, ['http://127.0.0.1:PORT', 'null', 'https://evil.example', 'http://x:99999', 'http://[::1]:PORT', '', 'http://localhost:PORT, https://evil.example'])}`,
    );
  }
  if (chance(r, 0.1)) {
    tags.push('upgrade');
    lines.push('Upgrade: ' + pick(r, ['websocket', 'h2c', 'WebSocket', 'x'.repeat(50)]), 'Connection: Upgrade');
    if (chance(r, 0.7)) lines.push('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13');
    if (chance(r, 0.6))
      lines.push(
        `Sec-WebSocket-Protocol: ${pick(r, ['deeplocal.v1, deeplocal.token.TOKEN', 'deeplocal.v1', ',,,', 'deeplocal.token.TOKEN', 'a b c'])}`,
      );
  }
  if (chance(r, 0.1)) lines.push(`Accept-Language: ${pick(r, ['zh-CN,zh;q=0.9', 'en', '*', 'x'.repeat(5000)])}`);
  if (chance(r, 0.05)) {
    tags.push('odd-header');
    lines.push(
      pick(r, [
        'X-Weird : value',
        'NoColon',
        ' folded: continuation',
        'X-Nul: a\u0000b',
        `X-Long: ${'v'.repeat(pick(r, [100, 20_000, 70_000]))}`,
        'X-Utf8: ' + utf8('中文'),
        ': empty-name',
        'Conne ction: close',
      ]),
    );
  }
  if (chance(r, 0.15)) lines.push(pick(r, ['Connection: close', 'Connection: keep-alive', 'Connection: close, close']));

  // The body and how it is framed.
  let body = '';
  const wantsBody = method === 'POST' || chance(r, 0.1);
  if (wantsBody) {
    body = pick(r, [
      '{}',
      '{}',
      '',
      '{"messages":[{"role":"user","content":"hi"}],"max_tokens":1}',
      '{"path":"/etc/hostname"}',
      '{"path":42}',
      '{"a":',
      'null',
      '[]',
      '"string"',
      utf8('{"中":"文"}'),
      randomBytes(r, int(r, 200)),
      '{"x":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
      'a'.repeat(70 * 1024),
    ]);
    if (body.length > 64 * 1024) tags.push('over-limit');
  }
  const framing = int(r, 32);
  if (framing < 7 || framing > 11) {
    if (body.length || chance(r, 0.5)) lines.push(`Content-Length: ${body.length}`);
  } else {
    tags.push('odd-framing');
    switch (framing) {
      case 7:
        lines.push('Transfer-Encoding: chunked');
        if (chance(r, 0.5)) body = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
        else {
          const size = pick(r, [
            'zz',
            '-1',
            'ffffffffffffffff',
            '5;ext=' + 'e'.repeat(20_000),
            body.length.toString(16),
          ]);
          body = `${size}\r\n${body}\r\n`;
          // Without its last chunk; a size of 0 is that last chunk.
          incomplete = size !== '0';
        }
        break;
      case 8:
        lines.push(`Content-Length: ${pick(r, ['abc', '-1', '1e3', '99999999999999999999', ' 5', '0x10', ''])}`);
        // Some of these a parser could read as a number larger than the body.
        incomplete = true;
        break;
      case 9:
        lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
        break;
      case 10:
        lines.push(`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked');
        break;
      default:
        // Says more than is sent: the request ends when the client does.
        lines.push(`Content-Length: ${body.length + 1 + int(r, 100_000)}`);
        incomplete = true;
    }
  }
  if (chance(r, 0.08)) {
    tags.push('expect');
    lines.push(pick(r, ['Expect: 100-continue', 'Expect: something-else']));
  }
  return { lines, body, incomplete };
}

export function generateCase(r: Rand): FuzzCase {
  const tags: string[] = [];
  const method = chance(r, 0.8) ? pick(r, ['GET', 'GET', 'POST', 'POST', 'HEAD']) : pick(r, METHODS);
  if (!['GET', 'POST', 'HEAD'].includes(method)) tags.push(`method:${method || 'none'}`);
  const target = mutatePath(r, basePath(r, tags), tags);
  const { line } = requestLine(r, method, target, tags);
  const { lines, body, incomplete } = otherHeaders(r, method, tags);
  const headers = [...hostHeaders(r, tags), ...lines];
  // Shuffle header order a little: nothing may depend on it.
  if (chance(r, 0.3)) headers.reverse();
  const eol = chance(r, 0.98) ? '\r\n' : '\n';
  if (eol !== '\r\n') tags.push('bare-lf');
  let bytes = `${line}${eol}${headers.map((h) => h + eol).join('')}${eol}${body}`;
  // Sometimes in pieces, split anywhere (inside the request line, a header, the body).
  if (chance(r, 0.1)) {
    tags.push('split-writes');
    const at = 1 + int(r, Math.max(1, bytes.length - 1));
    bytes = bytes.slice(0, at) + SPLIT + bytes.slice(at);
  }
  return { bytes, method, tags, incomplete };
}
