/**
 * Power limits and clock locks through nvidia-smi. Checks the range before asking the driver, runs the command
 * with the rights it needs (directly when we are root/Administrator or when no elevation exists — the driver's
 * text then says whether that was enough; otherwise through the shell's `elevate`: pkexec / UAC), reads the
 * answer from nvidia-smi's text, and confirms a new limit with the next sample that shows it.
 */
import { AppError } from '../../shared/errors';
import type { SettingsPatch, Settings } from '../../shared/schemas';
import type { PowerInfo, PowerResult } from '../../shared/telemetry';
import type { AlertDraft } from '../alerts/draft';
import {
  lockClocksArgs,
  manualCommand,
  parsePowerOutput,
  resetClocksArgs,
  setLimitArgs,
  type PowerOutcome,
} from '../gpu-tools/nvidia-power';
import type { TelemetryService } from '../telemetry/sampler';
import { findExecutable, runTool as defaultRunTool, type RunTool } from '../util/run-tool';

export interface ElevatedResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command args` with administrator rights: on Linux through pkexec, on Windows through a UAC prompt.
 * The user declining answers code 126/127 (pkexec) or 1223 (Windows ERROR_CANCELLED), or rejects.
 */
export type Elevate = (command: string, args: string[]) => Promise<ElevatedResult>;

export type LimitSource = 'user' | 'reset' | 'reapply' | 'guard';

export interface PowerDeps {
  telemetry: TelemetryService;
  settings: { get(): Promise<Settings>; update(p: SettingsPatch): Promise<Settings> };
  env: NodeJS.ProcessEnv;
  elevate?: Elevate;
  /** Running as root (POSIX) or elevated (Windows) — commands run directly, no prompt. See setPrivileged. */
  privileged: boolean;
  platform?: string;
  runTool?: RunTool;
  confirmTimeoutMs?: number;
  emitChanged(list: PowerInfo[]): void;
  alert(d: AlertDraft): void;
  log(line: string): void;
}

/** What the thermal guard tells the power service (set after both exist). */
export interface GuardView {
  limitOf(gpu: number): number | null;
  userChanged(gpu: number): void;
}

/** A limit we set counts as ours (not "changed outside the app") for this long. */
const EXPECT_MS = 60_000;

export class PowerService {
  private readonly run: RunTool;
  private readonly platform: string;
  private readonly unsupported = new Set<number>();
  /** Limits we set recently, per GPU: several, since samples can lag behind quick guard steps on a busy machine. */
  private readonly expected = new Map<number, { watts: number; until: number }[]>();
  private uuids: Map<number, string> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private guard: GuardView | null = null;
  private privileged: boolean;

  constructor(private readonly deps: PowerDeps) {
    this.run = deps.runTool ?? defaultRunTool;
    this.platform = deps.platform ?? process.platform;
    this.privileged = deps.privileged;
  }

  setGuard(g: GuardView): void {
    this.guard = g;
  }

  /** Set once the rights are known (on Windows that takes a `whoami`, after start). */
  setPrivileged(privileged: boolean): void {
    this.privileged = privileged;
  }

  /** Whether we set this limit recently (for the "changed outside the app" alert). */
  isExpected(gpu: number, watts: number): boolean {
    const now = Date.now();
    const list = (this.expected.get(gpu) ?? []).filter((e) => e.until > now);
    this.expected.set(gpu, list);
    return list.some((e) => Math.abs(e.watts - watts) < 1);
  }

  private expect(gpu: number, watts: number) {
    const now = Date.now();
    const list = (this.expected.get(gpu) ?? []).filter((e) => e.until > now);
    list.push({ watts, until: now + EXPECT_MS });
    this.expected.set(gpu, list.slice(-16));
  }

  // ---------- reading ----------

  /** Settings key of a GPU: its uuid (stable when cards move slots), or "index:N". */
  keyOf(gpu: number): string {
    return this.uuids?.get(gpu) ?? `index:${gpu}`;
  }

  async loadKeys(): Promise<void> {
    if (this.uuids) return;
    const exe = await findExecutable('nvidia-smi', this.deps.env);
    if (!exe) return;
    const r = await this.run(exe, ['--query-gpu=index,uuid', '--format=csv,noheader'], {
      env: this.deps.env,
      timeoutMs: 4000,
    });
    const map = new Map<number, string>();
    for (const line of r.stdout.split(/\r?\n/)) {
      const m = /^\s*(\d+)\s*,\s*(GPU-[\w-]+)/.exec(line);
      if (m) map.set(Number(m[1]), m[2]!);
    }
    if (map.size) this.uuids = map;
  }

  userLimitOf(gpu: number, settings: Settings): number | null {
    return settings.power.userLimits[this.keyOf(gpu)] ?? null;
  }

  async status(): Promise<PowerInfo[]> {
    const fresh = this.deps.telemetry.latestFresh();
    const { source, gpus } = fresh
      ? { source: (await this.deps.telemetry.status()).gpuSource, gpus: fresh.gpus }
      : await this.deps.telemetry.oneShotGpus();
    const settings = await this.deps.settings.get();
    if (Object.keys(settings.power.userLimits).length) await this.loadKeys();
    return gpus.map((g) => ({
      index: g.index,
      name: g.name,
      supported:
        source === 'nvidia-smi' &&
        g.powerLimitW !== null &&
        g.powerMinW !== null &&
        g.powerMaxW !== null &&
        !this.unsupported.has(g.index),
      currentLimitW: g.powerLimitW,
      defaultLimitW: g.powerDefaultW,
      minLimitW: g.powerMinW,
      maxLimitW: g.powerMaxW,
      userLimitW: this.userLimitOf(g.index, settings),
      guardLimitW: this.guard?.limitOf(g.index) ?? null,
    }));
  }

  private async info(gpu: number): Promise<PowerInfo> {
    const info = (await this.status()).find((i) => i.index === gpu);
    if (!info) throw new AppError('NO_GPU', { gpu });
    return info;
  }

  // ---------- changing ----------

  setLimit(gpu: number, watts: number, source: LimitSource = 'user'): Promise<PowerResult> {
    return this.serial(async () => {
      const info = await this.info(gpu);
      if (!info.supported) throw new AppError('POWER_UNSUPPORTED', { gpu });
      const min = info.minLimitW!;
      const max = info.maxLimitW!;
      // nvidia-smi takes two decimals; compare at that precision so 150.004 is not "below 150".
      const w = Math.round(watts * 100) / 100;
      if (w < min || w > max) throw new AppError('POWER_RANGE', { watts: w, min, max });
      const args = setLimitArgs(gpu, w);
      // Before running it: the stream can show the new limit before nvidia-smi's own exit reaches us.
      this.expect(gpu, w);
      const { outcome, via } = await this.exec(args);
      if (outcome.kind !== 'ok') throw this.toError(outcome, gpu, w, args, true);
      const applied = outcome.appliedW ?? w;
      if (Math.abs(applied - w) >= 1) this.expect(gpu, applied);
      this.deps.log(
        `power: GPU ${gpu} limit ${outcome.previousW ?? info.currentLimitW ?? '?'} W → ${applied} W (${source}, ${via})`,
      );
      if (source !== 'guard') this.guard?.userChanged(gpu);
      if (source === 'user' || source === 'reset')
        await this.rememberUserLimit(gpu, source === 'user' ? applied : null);
      const confirmedBy = await this.deps.telemetry.waitForSample(
        (s) => {
          const g = s.gpus.find((x) => x.index === gpu);
          return !!g && g.powerLimitW !== null && Math.abs(g.powerLimitW - applied) < 0.5;
        },
        this.deps.confirmTimeoutMs ?? Math.max(3000, this.deps.telemetry.intervalMs * 4),
      );
      if (source !== 'guard') {
        this.deps.alert({
          kind: 'power-limit-applied',
          level: 'info',
          gpu,
          params: { watts: applied, previousW: outcome.previousW ?? info.currentLimitW ?? 0, source },
        });
      }
      this.deps.emitChanged(await this.status());
      return { gpu, appliedW: applied, via, message: firstLine(outcome.text), confirmed: !!confirmedBy };
    });
  }

  async resetLimit(gpu: number): Promise<PowerResult> {
    const info = await this.info(gpu);
    if (info.defaultLimitW === null) throw new AppError('POWER_UNSUPPORTED', { gpu });
    return this.setLimit(gpu, info.defaultLimitW, 'reset');
  }

  lockClocks(gpu: number, minMHz: number, maxMHz: number): Promise<PowerResult> {
    if (minMHz > maxMHz)
      return Promise.reject(new AppError('INVALID_PARAMS', { issues: `minMHz ${minMHz} is above maxMHz ${maxMHz}` }));
    return this.clocks(gpu, lockClocksArgs(gpu, minMHz, maxMHz));
  }

  resetClocks(gpu: number): Promise<PowerResult> {
    return this.clocks(gpu, resetClocksArgs(gpu));
  }

  private clocks(gpu: number, args: string[]): Promise<PowerResult> {
    return this.serial(async () => {
      await this.info(gpu);
      const { outcome, via } = await this.exec(args);
      if (outcome.kind !== 'ok') throw this.toError(outcome, gpu, null, args, false);
      this.deps.log(`power: GPU ${gpu} nvidia-smi ${args.join(' ')} (${via})`);
      return { gpu, appliedW: null, via, message: firstLine(outcome.text), confirmed: true };
    });
  }

  /** At start, when the user asked for it: their limits again (the driver forgets them at reboot). */
  async reapplyUserLimits(): Promise<void> {
    const settings = await this.deps.settings.get();
    const entries = Object.entries(settings.power.userLimits);
    if (!settings.power.reapplyAtStart || entries.length === 0) return;
    await this.loadKeys();
    const infos = await this.status();
    for (const [key, watts] of entries) {
      const info = infos.find((i) => this.keyOf(i.index) === key);
      if (!info) {
        this.deps.log(`power: no GPU ${key} to re-apply ${watts} W to`);
        continue;
      }
      if (info.currentLimitW !== null && Math.abs(info.currentLimitW - watts) < 0.5) continue;
      await this.setLimit(info.index, watts, 'reapply').catch((e: unknown) => {
        this.deps.log(
          `power: re-applying ${watts} W to GPU ${info.index} failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      });
    }
  }

  private async rememberUserLimit(gpu: number, watts: number | null) {
    await this.loadKeys();
    const current = (await this.deps.settings.get()).power.userLimits;
    const userLimits = { ...current };
    if (watts === null) delete userLimits[this.keyOf(gpu)];
    else userLimits[this.keyOf(gpu)] = watts;
    await this.deps.settings.update({ power: { userLimits } });
  }

  // ---------- running nvidia-smi ----------

  /** How a change of limit or clocks will be applied (see AppInfo.powerControl). */
  control(): 'direct' | 'pkexec' | 'uac' | 'manual' {
    if (this.privileged) return 'direct';
    if (this.deps.elevate) return this.platform === 'win32' ? 'uac' : 'pkexec';
    return 'manual';
  }

  private async exec(args: string[]): Promise<{ outcome: PowerOutcome; via: PowerResult['via'] }> {
    const exe = await findExecutable('nvidia-smi', this.deps.env);
    if (!exe) throw new AppError('NO_GPU', { gpu: args[1] ?? 0 });
    const via = this.control();
    if ((via === 'uac' || via === 'pkexec') && this.deps.elevate) {
      try {
        const r = await this.deps.elevate(exe, args);
        const text = `${r.stdout}\n${r.stderr}`.trim();
        let outcome = parsePowerOutput(text, r.code);
        // pkexec: 126 = the dialog was dismissed, 127 = not authorised; Windows: 1223 = the UAC prompt was declined.
        if (outcome.kind === 'failed' && (r.code === 126 || r.code === 127 || r.code === 1223))
          outcome = { kind: 'permission', text };
        return { outcome, via };
      } catch (e) {
        return { outcome: { kind: 'permission', text: e instanceof Error ? e.message : String(e) }, via };
      }
    }
    const r = await this.run(exe, args, { env: this.deps.env, timeoutMs: 15_000 });
    if (r.timedOut)
      return { outcome: { kind: 'failed', text: 'nvidia-smi did not answer within 15 s' }, via: 'direct' };
    return { outcome: parsePowerOutput(`${r.stdout}\n${r.stderr}`, r.code), via: 'direct' };
  }

  private toError(
    o: Exclude<PowerOutcome, { kind: 'ok' }>,
    gpu: number,
    watts: number | null,
    args: string[],
    isLimit: boolean,
  ): AppError {
    switch (o.kind) {
      case 'permission':
        return new AppError('POWER_PERMISSION', { command: manualCommand(args, this.platform), gpu }, o.text);
      case 'range':
        return new AppError('POWER_RANGE', { watts: watts ?? 0, min: o.minW, max: o.maxW }, o.text);
      case 'unsupported':
        if (isLimit) this.unsupported.add(gpu);
        return new AppError('POWER_UNSUPPORTED', { gpu }, o.text);
      case 'driver':
        return new AppError('POWER_FAILED', { reason: 'nvidia-smi cannot talk to the NVIDIA driver' }, o.text);
      default:
        return new AppError('POWER_FAILED', { reason: firstLine(o.text).slice(0, 300) }, o.text);
    }
  }

  /** One nvidia-smi change at a time (and one elevation prompt at a time). */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .find((l) => l.trim())
      ?.trim() ?? ''
  );
}
