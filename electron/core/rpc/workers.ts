/**
 * The RPC workers on other machines (settings.rpc.workers) with their last check, and which of them a start may
 * use. Storage goes through deps (the settings store, written with mutate); the checks are protocol.ts. The one
 * decision, usableWorkers, is pure and table-tested in workers.test.ts.
 */
import { randomBytes } from 'node:crypto';
import type { RpcCheck, RpcDevice, RpcWorker, RpcWorkerEntry } from '../../shared/backends';
import { AppError, type ErrorInfo } from '../../shared/errors';
import { checkRpcWorker } from './protocol';
import { formatAddress } from './protocol-codec';

export const MAX_WORKERS = 16;

export interface WorkerListDeps {
  read(): Promise<RpcWorkerEntry[]>;
  /** Saves fn(current list) (settings.mutate) and returns the saved list. */
  write(fn: (list: RpcWorkerEntry[]) => RpcWorkerEntry[]): Promise<RpcWorkerEntry[]>;
  emit(list: RpcWorker[]): void;
  /** Addresses the running llama-server is connected to: a worker serves one client, so it cannot be probed now. */
  inUse(): string[];
  timeoutMs: number;
  check?: typeof checkRpcWorker;
  now?: () => number;
}

export const addressOf = (w: Pick<RpcWorkerEntry, 'host' | 'port'>) =>
  formatAddress(w.host, w.port) ?? `${w.host}:${w.port}`;

/**
 * Pure: of the enabled workers, those whose check passed (in the saved order: llama.cpp numbers their devices
 * RPC0, RPC1, … in --rpc order), and why each other enabled one is left out.
 */
export function usableWorkers(
  entries: readonly RpcWorkerEntry[],
  checks: ReadonlyMap<string, RpcCheck | undefined>,
): { use: string[]; devices: RpcDevice[]; skip: { address: string; error: ErrorInfo }[] } {
  const use: string[] = [];
  const devices: RpcDevice[] = [];
  const skip: { address: string; error: ErrorInfo }[] = [];
  for (const w of entries) {
    if (!w.enabled) continue;
    const address = addressOf(w);
    const c = checks.get(w.id);
    if (c?.ok && c.compatible && c.devices.length > 0) {
      use.push(address);
      devices.push(...c.devices);
    } else {
      skip.push({
        address,
        error: c?.error ?? new AppError('RPC_UNREACHABLE', { address, reason: 'not checked' }).toInfo(),
      });
    }
  }
  return { use, devices, skip };
}

export class RpcWorkerList {
  private readonly checks = new Map<string, RpcCheck>();
  private readonly check: typeof checkRpcWorker;
  private readonly now: () => number;

  constructor(private readonly deps: WorkerListDeps) {
    this.check = deps.check ?? checkRpcWorker;
    this.now = deps.now ?? Date.now;
  }

  async list(): Promise<RpcWorker[]> {
    return (await this.deps.read()).map((w) => this.view(w));
  }

  async add(host: string, port: number): Promise<RpcWorker> {
    const address = formatAddress(host, port);
    if (!address) throw new AppError('RPC_BAD_ADDRESS', { address: `${host}:${port}` });
    const id = `w-${randomBytes(5).toString('hex')}`;
    const entry: RpcWorkerEntry = { id, host: host.trim(), port, enabled: true, addedAt: this.now() };
    await this.deps.write((list) => {
      if (list.some((w) => addressOf(w).toLowerCase() === address.toLowerCase()))
        throw new AppError('RPC_WORKER_EXISTS', { address });
      if (list.length >= MAX_WORKERS)
        throw new AppError('INVALID_PARAMS', { issues: `at most ${MAX_WORKERS} RPC workers` });
      return [...list, entry];
    });
    await this.probe(entry);
    await this.publish();
    return this.view(entry);
  }

  async remove(id: string): Promise<boolean> {
    let removed = false;
    await this.deps.write((list) => {
      removed = list.some((w) => w.id === id);
      return list.filter((w) => w.id !== id);
    });
    this.checks.delete(id);
    if (removed) await this.publish();
    return removed;
  }

  async setEnabled(id: string, enabled: boolean): Promise<RpcWorker> {
    const list = await this.deps.write((l) => {
      if (!l.some((w) => w.id === id)) throw new AppError('RPC_WORKER_NOT_FOUND');
      return l.map((w) => (w.id === id ? { ...w, enabled } : w));
    });
    await this.publish();
    return this.view(list.find((w) => w.id === id)!);
  }

  async checkOne(id: string): Promise<RpcWorker> {
    const w = (await this.deps.read()).find((x) => x.id === id);
    if (!w) throw new AppError('RPC_WORKER_NOT_FOUND');
    await this.probe(w);
    await this.publish();
    return this.view(w);
  }

  /** Checks every worker in the list (app start: the list shows each one's state without a click). */
  async checkAll(): Promise<void> {
    const all = await this.deps.read();
    await Promise.all(all.map((w) => this.probe(w)));
    if (all.length > 0) await this.publish();
  }

  /** Fresh checks of the enabled workers (in parallel), then the usable ones; every enabled worker is checked. */
  async usable(): Promise<ReturnType<typeof usableWorkers>> {
    const enabled = (await this.deps.read()).filter((w) => w.enabled);
    await Promise.all(enabled.map((w) => this.probe(w)));
    if (enabled.length > 0) await this.publish();
    return usableWorkers(enabled, this.checks);
  }

  /** The enabled workers' devices for the fit planner: checks younger than maxAgeMs are reused. */
  async devices(maxAgeMs: number): Promise<RpcDevice[]> {
    const enabled = (await this.deps.read()).filter((w) => w.enabled);
    const stale = enabled.filter((w) => {
      const c = this.checks.get(w.id);
      return !c || this.now() - c.at > maxAgeMs;
    });
    if (stale.length > 0) {
      await Promise.all(stale.map((w) => this.probe(w)));
      await this.publish();
    }
    return usableWorkers(enabled, this.checks).devices;
  }

  /** Checks one worker, unless the running llama-server holds it (then its last check stands). */
  private async probe(w: RpcWorkerEntry): Promise<void> {
    const address = addressOf(w);
    if (this.deps.inUse().includes(address) && this.checks.get(w.id)?.ok) return;
    this.checks.set(w.id, await this.check(w.host, w.port, { timeoutMs: this.deps.timeoutMs }));
  }

  private view(w: RpcWorkerEntry): RpcWorker {
    return { ...w, address: addressOf(w), lastCheck: this.checks.get(w.id) ?? null };
  }

  private async publish() {
    try {
      this.deps.emit(await this.list());
    } catch {
      /* an event is best effort */
    }
  }
}
