/**
 * The API for other programs (issue 13): the Ollama-compatible server (its own loopback port), LAN mode (TLS, named
 * API keys, CORS) and their state. The endpoints themselves are HTTP routes, not contract methods.
 */
import { z } from 'zod';
import { ErrorInfo } from './errors';

const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });
const empty = z.strictObject({});

export const ApiServerState = z.object({
  enabled: z.boolean(),
  listening: z.boolean(),
  /** Where clients reach it (every address for LAN mode); empty while not listening. */
  urls: z.array(z.string()),
  /** The port asked for was taken and another was used (say so in Settings). */
  portFallback: z.boolean(),
  error: ErrorInfo.nullable(),
});
export type ApiServerState = z.infer<typeof ApiServerState>;

export const ApiStatus = z.object({
  ollama: ApiServerState,
  lan: ApiServerState.extend({
    /** SHA-256 fingerprint of the self-signed certificate (AA:BB:…), to pin on the client. */
    fingerprint: z.string().nullable(),
  }),
  /** Just-in-time loading: the model loaded for an API request and when it unloads if unused. */
  jit: z.object({ model: z.string().nullable(), unloadAt: z.number().nullable() }),
});
export type ApiStatus = z.infer<typeof ApiStatus>;

export const ApiKeyInfo = z.object({
  id: z.string(),
  name: z.string(),
  /** The first characters, to tell keys apart (the key itself is shown once, at creation). */
  prefix: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

/** One address of this machine's network interfaces (LAN mode offers them to listen on). */
export const NetworkAddress = z.object({
  interface: z.string(),
  address: z.string(),
  family: z.enum(['IPv4', 'IPv6']),
});
export type NetworkAddress = z.infer<typeof NetworkAddress>;

export const apiMethods = {
  'api.status': method(empty, ApiStatus),
  /** This machine's non-internal IPv4/IPv6 addresses, for choosing where LAN mode listens. */
  'api.interfaces': method(empty, z.array(NetworkAddress)),
  'apiKeys.list': method(empty, z.array(ApiKeyInfo)),
  /** The key is in this answer only; the core keeps its hash. */
  'apiKeys.create': method(
    z.strictObject({ name: z.string().trim().min(1).max(80) }),
    ApiKeyInfo.extend({ key: z.string() }),
  ),
  'apiKeys.revoke': method(z.strictObject({ id: z.string().min(1).max(64) }), z.object({ revoked: z.boolean() })),
} as const;

export const apiEvents = {
  'api.status': ApiStatus,
  'apiKeys.changed': z.array(ApiKeyInfo),
} as const;
