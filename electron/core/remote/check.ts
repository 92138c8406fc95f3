/**
 * Checking an external server: its certificate (https: who it is, whether the system trusts it or the user pinned
 * it), its model list (GET /v1/models with the key), its latency and flavor. Problems come back as typed errors
 * in the result (REMOTE_*), never thrown: the UI shows them beside the form.
 */
import type { RemoteCheck, RemoteCertificate } from '../../shared/backends';
import { AppError } from '../../shared/errors';
import { getText, normalizeFingerprint, peerCertificate, type EndpointTls } from '../util/upstream-http';
import { classifyConnectError } from '../util/upstream-errors';
import { parseModelsResponse, type ParsedModels } from './classify';
import { probeFlavor } from './flavor';

export interface CheckTarget {
  /** Normalized base URL (url.ts). */
  url: string;
  apiKey: string;
  /** A self-signed certificate the user trusts; null: the system's CAs decide. */
  trustFingerprint256: string | null;
}

export interface CheckTimeouts {
  timeoutMs: number;
  /** Each flavor probe (default: a quarter of timeoutMs, at most 2 s). */
  probeTimeoutMs?: number;
}

/** Endpoint.tls for a server: the pin when the user trusted a certificate. */
export function tlsFor(t: Pick<CheckTarget, 'url' | 'trustFingerprint256'>): EndpointTls {
  return t.url.startsWith('https:') ? { fingerprint256: t.trustFingerprint256 } : undefined;
}

/** GET /v1/models → the models; throws the typed error (REMOTE_AUTH, REMOTE_NOT_OPENAI, REMOTE_REFUSED, …). */
export async function fetchModels(t: CheckTarget, timeoutMs: number): Promise<ParsedModels & { latencyMs: number }> {
  const started = performance.now();
  let r;
  try {
    r = await getText(`${t.url}/v1/models`, t.apiKey, timeoutMs, tlsFor(t), 2 * 1024 * 1024);
  } catch (e) {
    throw classifyConnectError(e, t.url, timeoutMs);
  }
  const latencyMs = Math.round(performance.now() - started);
  const ct = r.headers['content-type'];
  return { ...parseModelsResponse(t.url, r.status, Array.isArray(ct) ? ct[0] : ct, r.body), latencyMs };
}

/** The https server's certificate and whether we would talk to it (system CAs, or the user's pin). */
async function certificateOf(
  t: CheckTarget,
  timeoutMs: number,
): Promise<{ certificate: RemoteCertificate; error: AppError | null }> {
  const info = await peerCertificate(new URL(t.url), timeoutMs);
  const pinned = t.trustFingerprint256 ? normalizeFingerprint(t.trustFingerprint256) : null;
  const facts = {
    fingerprint256: info.fingerprint256,
    subject: info.subject,
    issuer: info.issuer,
    validTo: info.validTo,
  };
  const trusted = pinned ? normalizeFingerprint(info.fingerprint256) === pinned : info.trusted;
  const certificate: RemoteCertificate = { ...facts, trusted: info.trusted };
  if (trusted) return { certificate, error: null };
  const reason = pinned
    ? `its certificate changed (now SHA-256 ${info.fingerprint256}, trusted ${pinned})`
    : `its certificate is not trusted by this system (${info.authorizationError ?? 'unknown issuer'})`;
  return { certificate, error: new AppError('REMOTE_TLS', { url: t.url, reason, ...facts }) };
}

/** Checks a server: never throws; `error` says what is wrong (and `certificate` what to trust, for https). */
export async function checkServer(t: CheckTarget, o: CheckTimeouts, now = Date.now): Promise<RemoteCheck> {
  const result = (over: Partial<RemoteCheck>): RemoteCheck => ({
    at: now(),
    ok: false,
    latencyMs: null,
    flavor: 'unknown',
    models: [],
    certificate: null,
    error: null,
    ...over,
  });
  let certificate: RemoteCertificate | null = null;
  try {
    if (t.url.startsWith('https:')) {
      const c = await certificateOf(t, o.timeoutMs);
      certificate = c.certificate;
      if (c.error) return result({ certificate, error: c.error.toInfo() });
    }
    const list = await fetchModels(t, o.timeoutMs);
    const probeMs = o.probeTimeoutMs ?? Math.min(2000, Math.max(200, Math.round(o.timeoutMs / 4)));
    const flavor = await probeFlavor(t.url, t.apiKey, tlsFor(t), list.ownedBy, probeMs);
    return result({ ok: true, latencyMs: list.latencyMs, flavor, models: list.models, certificate });
  } catch (e) {
    return result({ certificate, error: classifyConnectError(e, t.url, o.timeoutMs).toInfo() });
  }
}
