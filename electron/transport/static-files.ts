/**
 * The built renderer as static files, for the browser UI of the headless server (Electron loads them from disk).
 * scripts/build.mjs writes a brotli (.br) and a gzip (.gz) copy beside each compressible file; the copy the
 * client's Accept-Encoding prefers is sent (br > gzip > identity at equal weight), with Vary: Accept-Encoding.
 * Hashed assets are cached for good (their name changes with their content); index.html never is.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { SECURITY_HEADERS } from './http-io';
import { decodePath } from './request-target';

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
};

export type ContentCoding = 'br' | 'gzip' | 'identity';
/** The file suffix of each precompressed copy. */
export const CODING_SUFFIX = { br: '.br', gzip: '.gz' } as const;

/** At most this much of the header is read, and this many of its entries (a hostile header costs nothing). */
const MAX_HEADER = 4096;
const MAX_ENTRIES = 64;

/** Accept-Encoding as coding → weight (0..1); `*` included when named. Malformed weights count as 0. */
export function parseAcceptEncoding(header: string | string[] | undefined): Map<string, number> {
  const weights = new Map<string, number>();
  const text = (Array.isArray(header) ? header.join(',') : (header ?? '')).slice(0, MAX_HEADER);
  for (const entry of text.split(',').slice(0, MAX_ENTRIES)) {
    const [name = '', ...params] = entry.split(';').map((s) => s.trim());
    const coding = name.toLowerCase();
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(coding)) continue;
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*(.*)$/i.exec(p);
      if (!m) continue;
      q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(m[1]!) ? Number(m[1]) : 0;
    }
    const key = coding === 'x-gzip' ? 'gzip' : coding;
    // A coding named twice keeps its best weight.
    weights.set(key, Math.max(weights.get(key) ?? 0, q));
  }
  return weights;
}

const UNNAMED_IDENTITY = 1e-6;

/**
 * Which coding to send, of those `available` besides identity. No header: identity. Identity stays acceptable unless
 * refused (identity;q=0, or *;q=0 without naming it), and is sent even then when nothing else is acceptable (a 406
 * would leave the page blank).
 */
export function negotiateEncoding(
  header: string | string[] | undefined,
  available: ReadonlyArray<Exclude<ContentCoding, 'identity'>>,
): ContentCoding {
  if (header === undefined) return 'identity';
  const w = parseAcceptEncoding(header);
  const star = w.get('*');
  // Identity not named: acceptable, but after any coding the client named (it asked for compression).
  const weight = (c: ContentCoding) => w.get(c) ?? (c === 'identity' ? (star ?? UNNAMED_IDENTITY) : (star ?? 0));
  let best: ContentCoding = 'identity';
  let bestQ = weight('identity');
  // Earlier wins a tie: br, then gzip, then identity.
  for (const c of (['br', 'gzip'] as const).filter((x) => available.includes(x))) {
    const q = weight(c);
    if (q > 0 && q >= bestQ && (best === 'identity' || q > bestQ)) {
      best = c;
      bestQ = q;
    }
  }
  return best;
}

/** The file a request path names inside `staticDir` ('/' is index.html), or null when it would leave it. */
export function staticFileFor(staticDir: string, pathname: string): { file: string; rel: string } | null {
  const rel = pathname === '/' ? 'index.html' : decodePath(pathname).replace(/^\/+/, '');
  // No asset name has a NUL or a backslash (a separator on Windows).
  if (rel.includes('\0') || rel.includes('\\')) return null;
  const file = path.resolve(staticDir, rel);
  if (!file.startsWith(path.resolve(staticDir) + path.sep)) return null;
  return { file, rel };
}

function statFile(file: string): fs.Stats | null {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

/**
 * Serves `pathname` from `staticDir` if it names a file there (false: not ours to answer). `htmlCsp` is the
 * Content-Security-Policy header for HTML pages.
 */
export function serveStatic(
  staticDir: string,
  pathname: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  htmlCsp: string,
): boolean {
  const target = staticFileFor(staticDir, pathname);
  if (!target) return false;
  const st = statFile(target.file);
  if (!st) return false;
  // A precompressed copy counts only if it is as new as the file (a stale one would serve old code).
  const copies = new Map<Exclude<ContentCoding, 'identity'>, fs.Stats>();
  for (const c of ['br', 'gzip'] as const) {
    const cst = statFile(target.file + CODING_SUFFIX[c]);
    if (cst && cst.mtimeMs >= st.mtimeMs) copies.set(c, cst);
  }
  const coding = copies.size ? negotiateEncoding(req.headers['accept-encoding'], [...copies.keys()]) : 'identity';
  const sent = coding === 'identity' ? target.file : target.file + CODING_SUFFIX[coding];
  const size = coding === 'identity' ? st.size : copies.get(coding)!.size;
  const ext = path.extname(target.file);
  res.writeHead(200, {
    'content-type': MIME[ext] ?? 'application/octet-stream',
    'content-length': size,
    ...(coding === 'identity' ? {} : { 'content-encoding': coding }),
    ...(copies.size ? { vary: 'Accept-Encoding' } : {}),
    'cache-control': target.rel === 'index.html' ? 'no-store' : 'public, max-age=31536000, immutable',
    ...(ext === '.html' ? { 'content-security-policy': htmlCsp } : {}),
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  const stream = fs.createReadStream(sent);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
  return true;
}
