/**
 * The pure part of "Connect to a server" and the saved servers list (remote-view.test.ts): what the form sends,
 * whether a certificate needs the user's trust, which hint an error gets, which server is connected and which of
 * its models the picker starts on, and how a server's last check reads.
 */
import type { RemoteCheck, RemoteFlavor, RemoteServer, RemoteServerInput } from '@shared/backends';
import type { ErrorCode } from '@shared/errors';
import type { BackendStatus } from '@shared/schemas';

export interface RemoteDraft {
  url: string;
  apiKey: string;
  name: string;
}

export const EMPTY_DRAFT: RemoteDraft = { url: '', apiKey: '', name: '' };

/** What remote.check / remote.add get: trimmed, with no empty key or name, and the fingerprint only when trusted. */
export function remoteInput(d: RemoteDraft, trustFingerprint256: string | null): RemoteServerInput {
  const name = d.name.trim();
  // A pasted key often brings a newline or spaces along; no server issues keys that begin or end with them.
  const apiKey = d.apiKey.trim();
  return {
    url: d.url.trim(),
    ...(apiKey ? { apiKey } : {}),
    ...(name ? { name } : {}),
    ...(trustFingerprint256 ? { trustFingerprint256 } : {}),
  };
}

export const canCheck = (d: RemoteDraft) => d.url.trim().length > 0;

/** https with a certificate the system's authorities do not vouch for: the user may trust it by its fingerprint. */
export const needsTrust = (check: RemoteCheck | null | undefined): boolean =>
  !!check?.certificate && !check.certificate.trusted;

/** i18n key of a flavor (kinds.remote.flavor.*; "llama.cpp" cannot be a key: the dot separates keys). */
export type FlavorKey = 'ollama' | 'lmstudio' | 'vllm' | 'llamacpp' | 'tgi' | 'deeplocal' | 'openai' | 'unknown';
export const flavorKey = (f: RemoteFlavor): FlavorKey => (f === 'llama.cpp' ? 'llamacpp' : f);

const HINTED = [
  'REMOTE_BAD_URL',
  'REMOTE_REFUSED',
  'REMOTE_UNREACHABLE',
  'REMOTE_AUTH',
  'REMOTE_TIMEOUT',
  'REMOTE_NOT_OPENAI',
  'REMOTE_TLS',
  'REMOTE_NOT_FOUND',
  'REMOTE_MODEL_NOT_FOUND',
  'SECRET_STORE_FAILED',
] as const satisfies readonly ErrorCode[];
export type HintCode = (typeof HINTED)[number];

/** The code whose "what to do" hint is shown under the error (kinds.remote.hints.<code>); null: no hint. */
export function hintCode(error: unknown): HintCode | null {
  const code = error && typeof error === 'object' && 'code' in error ? (error as { code: unknown }).code : null;
  return HINTED.find((c) => c === code) ?? null;
}

/** The server the running backend talks to (starting, loading, ready or stopping); null: none. */
export function connectedServer(status: BackendStatus | undefined): { id: string; model: string } | null {
  if (!status || status.state === 'stopped' || status.state === 'crashed') return null;
  const t = status.target;
  return status.kind === 'external' && t?.kind === 'external' ? { id: t.serverId, model: t.model } : null;
}

/**
 * The model the row's picker shows: the user's pick while the server still lists it, else the one in use on this
 * server, else the first listed; null when it lists none.
 */
export function pickedModel(server: RemoteServer, chosen: string | null, inUse: string | null): string | null {
  const ids = server.lastCheck?.models.map((m) => m.id) ?? [];
  if (chosen && ids.includes(chosen)) return chosen;
  if (inUse && ids.includes(inUse)) return inUse;
  return ids[0] ?? null;
}

export type LastCheck =
  | { state: 'never' }
  | { state: 'ok'; at: number; latencyMs: number | null }
  | { state: 'failed'; at: number; error: RemoteCheck['error'] };

export function lastCheck(server: RemoteServer): LastCheck {
  const c = server.lastCheck;
  if (!c) return { state: 'never' };
  return c.ok ? { state: 'ok', at: c.at, latencyMs: c.latencyMs } : { state: 'failed', at: c.at, error: c.error };
}

/** "AB:CD:…:EF" shortened for a list row: the first and last four bytes. The full one is in the title. */
export function shortFingerprint(fp: string): string {
  const parts = fp.split(':');
  return parts.length > 8 ? `${parts.slice(0, 4).join(':')}…${parts.slice(-4).join(':')}` : fp;
}

/** Servers in the order shown: the connected one first, then by name. */
export function sortServers(list: readonly RemoteServer[], connectedId: string | null): RemoteServer[] {
  return [...list].sort(
    (a, b) =>
      Number(b.id === connectedId) - Number(a.id === connectedId) ||
      a.name.localeCompare(b.name) ||
      a.addedAt - b.addedAt,
  );
}
