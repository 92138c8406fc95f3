/**
 * Drives the thermal guard (thermal-guard.ts) with live samples while it is enabled, applies its decisions through
 * the power service, and reports each one as an alert and a log line. Enabling it holds the sampler (it must see
 * samples even with no chart open). A GPU whose limit cannot be changed (no rights, not supported) is left alone
 * until the guard settings change, so a missing permission does not become a prompt every few seconds.
 */
import type { Settings } from '../../shared/schemas';
import type { TelemetrySample } from '../../shared/telemetry';
import type { AlertDraft } from '../alerts/draft';
import type { TelemetryService } from '../telemetry/sampler';
import type { PowerService } from './power-service';
import { initialGuardState, stepGuard, type GuardState } from './thermal-guard';

export interface ThermalDriverDeps {
  telemetry: TelemetryService;
  power: PowerService;
  alert(d: AlertDraft): void;
  log(line: string): void;
  now?: () => number;
}

export class ThermalGuardDriver {
  private settings: Settings | null = null;
  private readonly states = new Map<number, GuardState>();
  private readonly busy = new Set<number>();
  private readonly suspended = new Set<number>();
  private release: (() => void) | null = null;
  private off: (() => void) | null = null;
  private last: TelemetrySample | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: ThermalDriverDeps) {
    this.now = deps.now ?? Date.now;
  }

  limitOf(gpu: number): number | null {
    return this.states.get(gpu)?.loweredToW ?? null;
  }

  /** The user set a limit themselves: the guard starts over from it. */
  userChanged(gpu: number): void {
    this.states.delete(gpu);
  }

  /** Called with every settings value (at start and on each change). */
  configure(s: Settings): void {
    const before = this.settings?.thermalGuard;
    this.settings = s;
    if (JSON.stringify(before) !== JSON.stringify(s.thermalGuard)) this.suspended.clear();
    if (s.thermalGuard.enabled && !this.release) {
      void this.deps.power.loadKeys();
      this.release = this.deps.telemetry.hold();
      this.off = this.deps.telemetry.onSample((sample) => this.onSample(sample));
      this.deps.log(
        `thermal guard: on (≥ ${s.thermalGuard.thresholdC} °C for ${s.thermalGuard.holdSeconds} s → −${s.thermalGuard.stepW} W)`,
      );
    } else if (!s.thermalGuard.enabled && this.release) {
      this.off?.();
      this.release();
      this.off = this.release = null;
      this.deps.log('thermal guard: off');
      void this.restoreAll();
    }
  }

  private onSample(sample: TelemetrySample): void {
    const s = this.settings;
    if (!s?.thermalGuard.enabled) return;
    this.last = sample;
    for (const g of sample.gpus) {
      if (this.busy.has(g.index) || this.suspended.has(g.index)) continue;
      const prev = this.states.get(g.index) ?? initialGuardState();
      const { state, action } = stepGuard(
        prev,
        {
          temperatureC: g.temperatureC,
          limitW: g.powerLimitW,
          minW: g.powerMinW,
          defaultW: g.powerDefaultW,
          userW: this.deps.power.userLimitOf(g.index, s),
        },
        s.thermalGuard,
        this.now(),
      );
      this.states.set(g.index, state);
      if (!action) continue;
      this.busy.add(g.index);
      const threshold = s.thermalGuard.thresholdC;
      this.deps.power
        .setLimit(g.index, action.toW, 'guard')
        .then(() => {
          if (action.type === 'lower') {
            this.deps.alert({
              kind: 'thermal-guard-lowered',
              level: 'warning',
              gpu: g.index,
              params: { temp: action.temperatureC, threshold, fromW: action.fromW, toW: action.toW },
            });
          } else {
            this.deps.alert({
              kind: 'thermal-guard-restored',
              level: 'info',
              gpu: g.index,
              params: { temp: action.temperatureC, watts: action.toW },
            });
          }
        })
        .catch((e: unknown) => {
          // Undo the decision: the limit did not change.
          this.states.set(g.index, prev);
          this.suspended.add(g.index);
          const code =
            e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : 'POWER_FAILED';
          this.deps.log(
            `thermal guard: could not ${action.type} GPU ${g.index} to ${action.toW} W (${code}); leaving it alone until the guard settings change`,
          );
          this.deps.alert({
            kind: action.type === 'lower' ? 'thermal-guard-lowered' : 'thermal-guard-restored',
            level: 'error',
            gpu: g.index,
            params: { error: code, toW: action.toW, temp: action.temperatureC },
          });
        })
        .finally(() => this.busy.delete(g.index));
    }
  }

  /** Turned off while holding a GPU low: give the user's limit back now. */
  private async restoreAll(): Promise<void> {
    const s = this.settings;
    for (const [gpu, st] of [...this.states]) {
      if (st.loweredToW === null) continue;
      this.states.delete(gpu);
      const g = this.last?.gpus.find((x) => x.index === gpu);
      const toW = (s ? this.deps.power.userLimitOf(gpu, s) : null) ?? g?.powerDefaultW ?? null;
      if (toW === null) continue;
      try {
        await this.deps.power.setLimit(gpu, toW, 'guard');
        this.deps.alert({
          kind: 'thermal-guard-restored',
          level: 'info',
          gpu,
          params: { temp: g?.temperatureC ?? 0, watts: toW },
        });
      } catch (e) {
        this.deps.log(
          `thermal guard: could not restore GPU ${gpu} to ${toW} W: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  }

  dispose(): void {
    this.off?.();
    this.release?.();
    this.off = this.release = null;
  }
}
