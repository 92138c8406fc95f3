/**
 * LAN mode's TLS certificate: self-signed, made on first use and kept in `<dataDir>/tls/` (key.pem mode 0600,
 * cert.pem), so its SHA-256 fingerprint stays the same across restarts and a client can pin it. It names the
 * machine (hostname, hostname.local, localhost) and the addresses it was made for; a later change of address does
 * not replace it (that would break every client that pinned it): clients that pin the fingerprint do not need the
 * name to match. It is replaced only when it is unreadable (set aside first) or expires within 30 days.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { generate } from 'selfsigned';
import { AppError } from '../../shared/errors';
import { writeFileAtomic } from '../../core/util/atomic-write';
import { setAside } from '../../core/util/set-aside';

export interface LanCertificate {
  key: string;
  cert: string;
  /** SHA-256 of the DER certificate, AA:BB:… (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprint: string;
  validTo: Date;
}

const DAYS = 3650;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export const tlsDir = (dataDir: string) => path.join(dataDir, 'tls');

/** Pure: the subject alternative names for `names` (DNS) and `ips`, without duplicates or unusable entries. */
export function altNames(names: string[], ips: string[]): { type: 2 | 7; value?: string; ip?: string }[] {
  const dns = [...new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => /^[a-z0-9.-]{1,253}$/.test(n)))];
  const addrs = [
    ...new Set(ips.map((i) => i.replace(/^\[|\]$/g, '')).filter((i) => net.isIP(i) && i !== '0.0.0.0' && i !== '::')),
  ];
  return [...dns.map((value) => ({ type: 2 as const, value })), ...addrs.map((ip) => ({ type: 7 as const, ip }))];
}

/** Reads a saved certificate; null when there is none or it no longer serves (unreadable, mismatched, expiring). */
async function readSaved(dir: string, now: number): Promise<LanCertificate | 'damaged' | null> {
  let key: string;
  let cert: string;
  try {
    [key, cert] = await Promise.all([
      fs.readFile(path.join(dir, 'key.pem'), 'utf8'),
      fs.readFile(path.join(dir, 'cert.pem'), 'utf8'),
    ]);
  } catch {
    return null;
  }
  try {
    const x = new X509Certificate(cert);
    if (!x.checkPrivateKey(createPrivateKey(key))) return 'damaged';
    const validTo = new Date(x.validTo);
    if (validTo.getTime() - now < RENEW_BEFORE_MS) return null;
    return { key, cert, fingerprint: x.fingerprint256, validTo };
  } catch {
    return 'damaged';
  }
}

/**
 * The certificate in `<dataDir>/tls/`, made (RSA 2048, SHA-256, 10 years) when there is none usable. A damaged
 * pair is set aside (`*.corrupt-<time>`) before a new one is made. Failures are TLS_FAILED.
 */
export async function ensureCertificate(
  dataDir: string,
  subject: { hostname: string; names: string[]; ips: string[] },
  now: number = Date.now(),
): Promise<LanCertificate & { created: boolean }> {
  const dir = tlsDir(dataDir);
  const saved = await readSaved(dir, now);
  if (saved && saved !== 'damaged') return { ...saved, created: false };
  try {
    if (saved === 'damaged') await Promise.all(['key.pem', 'cert.pem'].map((f) => setAside(path.join(dir, f), now)));
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const pems = await generate([{ name: 'commonName', value: subject.hostname.slice(0, 64) || 'deeplocal' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 60_000),
      notAfterDate: new Date(now + DAYS * 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: altNames(subject.names, subject.ips) },
      ],
    });
    // The key first: a cert.pem without its key is read as damaged, never used.
    await writeFileAtomic(path.join(dir, 'key.pem'), pems.private, 0o600);
    await writeFileAtomic(path.join(dir, 'cert.pem'), pems.cert, 0o644);
    const x = new X509Certificate(pems.cert);
    return {
      key: pems.private,
      cert: pems.cert,
      fingerprint: x.fingerprint256,
      validTo: new Date(x.validTo),
      created: true,
    };
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('TLS_FAILED', { reason: String((e as Error).message ?? e).slice(0, 200) });
  }
}
