/**
 * The runtimes part of the contract (llama.cpp builds per variant: list, get, use, check, update), spread into
 * `methods` and `events` in contract.ts.
 */
import { z } from 'zod';
import { AvailableRuntime, RuntimeInfo, RuntimeJob, RuntimeList, RuntimeSelection, RuntimeVariant } from './runtimes';
import { UserPath } from './schemas';

const empty = z.strictObject({});
const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });
const runtimeId = z.string().regex(/^[A-Za-z0-9._-]{1,120}$/);

export const runtimeMethods = {
  /** Installed runtimes, the active one with how it was chosen (candidates, failed checks), and running jobs. */
  'runtimes.list': method(empty, RuntimeList),
  /** What the release feed offers for this platform (the pinned tag, or `latest`). RELEASE_UNREACHABLE offline. */
  'runtimes.available': method(
    z.strictObject({ tag: z.string().min(1).max(100).optional() }),
    z.object({ tag: z.string(), endpoint: z.string(), runtimes: z.array(AvailableRuntime) }),
  ),
  /** Fetches, verifies, unpacks and checks one variant; progress arrives as `runtimes.progress`. */
  'runtimes.get': method(
    z.strictObject({ variant: RuntimeVariant, tag: z.string().min(1).max(100).optional() }),
    RuntimeJob,
  ),
  'runtimes.cancel': method(z.strictObject({ jobId: z.string().min(1).max(100) }), RuntimeJob),
  /** `auto` or a runtime id; runs the device check and answers the resulting selection. */
  'runtimes.use': method(z.strictObject({ id: z.union([z.literal('auto'), runtimeId]) }), RuntimeSelection),
  /** Runs the device check again (every installed candidate in auto mode) and answers the selection. */
  'runtimes.check': method(empty, RuntimeSelection),
  'runtimes.remove': method(z.strictObject({ id: runtimeId }), z.object({ removed: z.boolean() })),
  /** Adds a folder holding a llama-server (checked first). */
  'runtimes.addFolder': method(z.strictObject({ path: UserPath }), RuntimeInfo),
  /** Looks for a newer release than the active runtime's; `apply` fetches, checks and activates it (the old one stays). */
  'runtimes.update': method(
    z.strictObject({ apply: z.boolean().optional() }),
    z.object({ current: z.string().nullable(), latest: z.string().nullable(), job: RuntimeJob.nullable() }),
  ),
} as const;

export const runtimeEvents = {
  /** A job's snapshot: at every phase change, and at most every 250 ms while bytes flow. */
  'runtimes.progress': RuntimeJob,
  /** After an install, removal, switch or check. */
  'runtimes.changed': RuntimeList,
} as const;
