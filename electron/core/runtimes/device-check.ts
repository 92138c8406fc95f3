/**
 * A runtime's device check: its own `llama-server --list-devices` (with a deadline, in the backend's environment, so
 * GGML_VK_VISIBLE_DEVICES and friends count), judged by check-classify.ts. Checks are remembered per runtime id and
 * llama-server's mtime (a re-install or a rebuild is checked again) until `refresh`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { runtimeProblem, type RuntimeCheck, type RuntimeProblem, type RuntimeVariant } from '../../shared/runtimes';
import { backendEnv } from '../backends/llama-cpp/llama-args';
import { runTool as defaultRunTool, type RunTool } from '../util/run-tool';
import { classifyDeviceCheck } from './check-classify';

export const DEVICE_CHECK_TIMEOUT_MS = 8000;

export interface CheckTarget {
  id: string;
  variant: RuntimeVariant;
  /** Absolute path of llama-server. */
  server: string;
}

export interface DeviceCheckOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  runTool?: RunTool;
  platform?: string;
  now?: () => number;
}

/** Runs the check once (no cache). A missing llama-server is NOT_FOUND without spawning anything. */
export async function runDeviceCheck(t: CheckTarget, o: DeviceCheckOptions): Promise<RuntimeCheck> {
  const now = o.now ?? Date.now;
  const started = performance.now();
  const dir = path.dirname(t.server);
  const base = { runtimeId: t.id, variant: t.variant, devices: [], checkedAt: now() };
  const st = await fs.stat(t.server).catch(() => null);
  if (!st?.isFile()) {
    return { ...base, ok: false, problem: runtimeProblem('NOT_FOUND', { dir }), durationMs: 0 };
  }
  const timeoutMs = o.timeoutMs ?? DEVICE_CHECK_TIMEOUT_MS;
  const result = await (o.runTool ?? defaultRunTool)(t.server, ['--list-devices'], {
    env: backendEnv(o.env),
    timeoutMs,
  });
  const files = await fs.readdir(dir).catch(() => [] as string[]);
  const verdict = classifyDeviceCheck({ variant: t.variant, platform: o.platform ?? process.platform, result, files });
  return { ...base, ...verdict, durationMs: Math.round(performance.now() - started) };
}

/** Remembers checks in memory; one check per runtime at a time (concurrent callers share it). */
export class DeviceChecks {
  private readonly cache = new Map<string, { mtimeMs: number; check: RuntimeCheck }>();
  private readonly running = new Map<string, Promise<RuntimeCheck>>();
  /** Problems found before running (files changed since install): they fail the check without running it. */
  private readonly held = new Map<string, RuntimeProblem>();

  /** Sets (or with null clears) a problem that fails the runtime's checks until cleared. */
  hold(id: string, problem: RuntimeProblem | null): void {
    if (problem) this.held.set(id, problem);
    else this.held.delete(id);
  }

  constructor(private readonly opts: DeviceCheckOptions) {}

  /** The remembered check while llama-server is unchanged, else a new one. */
  async get(t: CheckTarget, refresh = false): Promise<RuntimeCheck> {
    const held = this.held.get(t.id);
    if (held) {
      const check = {
        runtimeId: t.id,
        variant: t.variant,
        ok: false,
        devices: [],
        problem: held,
        checkedAt: Date.now(),
        durationMs: 0,
      };
      this.cache.set(t.id, { mtimeMs: -2, check });
      return check;
    }
    const mtimeMs = (await fs.stat(t.server).catch(() => null))?.mtimeMs ?? -1;
    const hit = this.cache.get(t.id);
    if (!refresh && hit && hit.mtimeMs === mtimeMs && hit.check.variant === t.variant) return hit.check;
    const key = `${t.id}\0${t.server}`;
    let p = this.running.get(key);
    if (!p) {
      p = runDeviceCheck(t, this.opts).then((check) => {
        this.cache.set(t.id, { mtimeMs, check });
        return check;
      });
      p.finally(() => this.running.delete(key)).catch(() => undefined);
      this.running.set(key, p);
    }
    return p;
  }

  /** The last check, if any, without running one. */
  peek(id: string): RuntimeCheck | null {
    return this.cache.get(id)?.check ?? null;
  }

  forget(id: string): void {
    this.cache.delete(id);
  }
}
