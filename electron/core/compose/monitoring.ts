/**
 * Composes hardware detection, live telemetry, power control, the thermal guard and alerts, and exposes them as
 * the contract's hardware.* / telemetry.* / power.* / alerts.* handlers. app.ts spreads `handlers` into its own.
 */
import type { EventBus, Handlers } from '../../shared/contract';
import type { Settings } from '../../shared/schemas';
import type { HardwareReport } from '../../shared/telemetry';
import { AlertLog } from '../alerts/log';
import { AlertRules } from '../alerts/rules';
import type { Backend } from '../backends/backend';
import { probeFacts, reportFromFacts, type BackendAnswer, type ProbeFacts } from '../hardware/probe';
import { formatHardwareReport } from '../hardware/report-text';
import { detectPrivileged, isRoot } from '../power/elevation';
import { PowerService, type Elevate } from '../power/power-service';
import { ThermalGuardDriver } from '../power/thermal-driver';
import type { SettingsStore } from '../settings/store';
import { runTool } from '../util/run-tool';
import { TelemetryService, type TelemetryOptions } from '../telemetry/sampler';

export type MonitoringHandlers = Pick<
  Handlers,
  | 'hardware.probe'
  | 'hardware.reportText'
  | 'telemetry.status'
  | 'telemetry.history'
  | 'power.status'
  | 'power.setLimit'
  | 'power.resetLimit'
  | 'power.lockClocks'
  | 'power.resetClocks'
  | 'alerts.list'
>;

export interface MonitoringOptions extends TelemetryOptions {
  /** How long a power change waits for the sample that confirms it. */
  confirmTimeoutMs?: number;
  /** Per external tool during the hardware probe. */
  probeTimeoutMs?: number;
  /** Overrides "running as root" (tests). */
  privileged?: boolean;
}

export interface MonitoringDeps {
  bus: EventBus;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  settings: SettingsStore;
  backend: Backend;
  /** The active runtime's device list for the report (its own check; the probe runs no --list-devices). */
  runtimeDevices: (facts: ProbeFacts) => Promise<BackendAnswer>;
  elevate?: Elevate;
  options?: MonitoringOptions;
}

export interface Monitoring {
  handlers: MonitoringHandlers;
  telemetry: TelemetryService;
  power: PowerService;
  guard: ThermalGuardDriver;
  alerts: AlertLog;
  /** What the tools and the OS say about the hardware (cached; the runtime chooser reads it). */
  hardwareFacts(refresh?: boolean): Promise<ProbeFacts>;
  /** The active runtime changed: the next report asks it again (the facts stay cached). */
  invalidateHardware(): void;
  dispose(): Promise<void>;
}

export async function createMonitoring(deps: MonitoringDeps): Promise<Monitoring> {
  const { bus, backend } = deps;
  const opts = deps.options ?? {};
  const log = (line: string) => backend.note(line);
  let settings: Settings = await deps.settings.get();

  const alerts = new AlertLog((a) => bus.emit('alert', a), log);
  const telemetry = new TelemetryService({
    ...opts,
    bus,
    env: deps.env,
    backend: {
      endpoint: () => backend.endpoint(),
      capabilities: () => backend.capabilities(),
      pid: () => backend.status().pid,
    },
    thresholdC: () => settings.thermalGuard.thresholdC,
    alert: (d) => alerts.push(d),
    log,
  });
  const power = new PowerService({
    telemetry,
    settings: deps.settings,
    env: deps.env,
    ...(deps.elevate ? { elevate: deps.elevate } : {}),
    privileged: opts.privileged ?? isRoot(),
    ...(opts.confirmTimeoutMs !== undefined ? { confirmTimeoutMs: opts.confirmTimeoutMs } : {}),
    emitChanged: (list) => bus.emit('power.changed', list),
    alert: (d) => alerts.push(d),
    log,
  });
  // Windows: whether we run elevated is known only after a `whoami` (until then a change goes through UAC).
  if (opts.privileged === undefined && process.platform === 'win32') {
    void detectPrivileged(process.platform, runTool, deps.env).then(
      (p) => power.setPrivileged(p),
      () => undefined,
    );
  }
  const guard = new ThermalGuardDriver({ telemetry, power, alert: (d) => alerts.push(d), log });
  power.setGuard(guard);

  const rules = new AlertRules();
  const offRules = telemetry.onSample((s) => {
    const cfg = {
      enabled: settings.alerts.enabled,
      vramPct: settings.alerts.vramPct,
      thresholdC: settings.thermalGuard.thresholdC,
    };
    for (const d of rules.evaluate(s, cfg, (gpu, w) => power.isExpected(gpu, w))) alerts.push(d);
  });
  const offSettings = bus.on('settings.changed', (s) => {
    settings = s;
    guard.configure(s);
    telemetry.emitStatus();
  });
  guard.configure(settings);
  const offStatus = backend.onStatus((s) => {
    if (s.state === 'ready') void telemetry.refreshModelVram();
    else if (s.state === 'stopped' || s.state === 'crashed') telemetry.backendStopped();
  });
  // Limits reset at reboot; re-applying may prompt for rights, so it never delays start-up.
  void power.reapplyUserLimits().catch((e: unknown) => log(`power: re-apply failed: ${String(e)}`));

  let facts: Promise<ProbeFacts> | null = null;
  let report: Promise<HardwareReport> | null = null;
  const getFacts = (refresh = false) => {
    if (!facts || refresh) {
      const p = probeFacts({
        env: deps.env,
        dataDir: deps.dataDir,
        ...(opts.probeTimeoutMs ? { timeoutMs: opts.probeTimeoutMs } : {}),
      });
      p.catch(() => (facts === p ? (facts = null) : undefined));
      facts = p;
    }
    return facts;
  };
  const getReport = (refresh = false) => {
    if (!report || refresh) {
      const p = getFacts(refresh).then(async (f) => reportFromFacts(f, await deps.runtimeDevices(f)));
      p.catch(() => (report === p ? (report = null) : undefined));
      report = p;
    }
    return report;
  };

  const handlers: MonitoringHandlers = {
    'hardware.probe': ({ refresh }) => getReport(refresh),
    'hardware.reportText': async () => ({ text: formatHardwareReport(await getReport()) }),
    'telemetry.status': () => telemetry.status(),
    'telemetry.history': async ({ seconds }) => telemetry.history(seconds),
    'power.status': () => power.status(),
    'power.setLimit': ({ gpu, watts }) => power.setLimit(gpu, watts, 'user'),
    'power.resetLimit': ({ gpu }) => power.resetLimit(gpu),
    'power.lockClocks': ({ gpu, minMHz, maxMHz }) => power.lockClocks(gpu, minMHz, maxMHz),
    'power.resetClocks': ({ gpu }) => power.resetClocks(gpu),
    'alerts.list': async ({ limit }) => alerts.list(limit ?? 100),
  };

  return {
    handlers,
    telemetry,
    power,
    guard,
    alerts,
    hardwareFacts: getFacts,
    invalidateHardware: () => {
      report = null;
    },
    async dispose() {
      offRules();
      offSettings();
      offStatus();
      guard.dispose();
      await telemetry.dispose();
    },
  };
}
