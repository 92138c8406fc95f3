/**
 * When a sample deserves an alert: VRAM above the configured share, temperature at or over the threshold, or a
 * power limit that changed without us setting it. Each condition fires once when it starts and re-arms only after
 * it has clearly ended (hysteresis) and a minimum quiet time has passed, so a GPU hovering at the line does not
 * spam toasts. Pure: time comes from the samples.
 */
import type { TelemetrySample } from '../../shared/telemetry';
import type { AlertDraft } from './draft';

export interface AlertRuleConfig {
  enabled: boolean;
  vramPct: number;
  thresholdC: number;
  /** Same alert for the same GPU at most this often. */
  minIntervalMs?: number;
}

/** Re-arm margins: VRAM must drop 5 points below the line, temperature 3 °C. */
export const VRAM_REARM_PCT = 5;
export const TEMP_REARM_C = 3;

interface GpuState {
  vramHigh: boolean;
  tempHigh: boolean;
  lastLimitW: number | null;
  lastFired: Map<string, number>;
}

export class AlertRules {
  private readonly gpus = new Map<number, GpuState>();

  /** `isExpected(gpu, watts)`: whether we (the user through the app, or the thermal guard) set this limit. */
  evaluate(
    sample: TelemetrySample,
    cfg: AlertRuleConfig,
    isExpected: (gpu: number, watts: number) => boolean,
  ): AlertDraft[] {
    const out: AlertDraft[] = [];
    const minInterval = cfg.minIntervalMs ?? 60_000;
    for (const g of sample.gpus) {
      let st = this.gpus.get(g.index);
      if (!st)
        this.gpus.set(g.index, (st = { vramHigh: false, tempHigh: false, lastLimitW: null, lastFired: new Map() }));
      const fire = (d: AlertDraft) => {
        const last = st.lastFired.get(d.kind);
        if (last !== undefined && sample.ts - last < minInterval) return;
        st.lastFired.set(d.kind, sample.ts);
        if (cfg.enabled) out.push(d);
      };

      if (g.vramUsedMiB !== null && g.vramTotalMiB) {
        const pct = (g.vramUsedMiB / g.vramTotalMiB) * 100;
        if (!st.vramHigh && pct > cfg.vramPct) {
          st.vramHigh = true;
          fire({
            kind: 'vram-high',
            level: 'warning',
            gpu: g.index,
            params: { pct: Math.round(pct), usedMiB: g.vramUsedMiB, totalMiB: g.vramTotalMiB, limitPct: cfg.vramPct },
          });
        } else if (st.vramHigh && pct < cfg.vramPct - VRAM_REARM_PCT) st.vramHigh = false;
      }

      if (g.temperatureC !== null) {
        if (!st.tempHigh && g.temperatureC >= cfg.thresholdC) {
          st.tempHigh = true;
          fire({
            kind: 'temperature-high',
            level: 'warning',
            gpu: g.index,
            params: { temp: g.temperatureC, threshold: cfg.thresholdC },
          });
        } else if (st.tempHigh && g.temperatureC < cfg.thresholdC - TEMP_REARM_C) st.tempHigh = false;
      }

      if (g.powerLimitW !== null) {
        const prev = st.lastLimitW;
        st.lastLimitW = g.powerLimitW;
        if (prev !== null && Math.abs(g.powerLimitW - prev) >= 1 && !isExpected(g.index, g.powerLimitW)) {
          // Not rate-limited: each outside change is its own event.
          if (cfg.enabled)
            out.push({
              kind: 'power-limit-external',
              level: 'warning',
              gpu: g.index,
              params: { watts: g.powerLimitW, previousW: prev },
            });
        }
      }
    }
    return out;
  }
}
