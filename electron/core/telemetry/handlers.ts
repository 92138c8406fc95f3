/** Contract handlers for hardware, telemetry, power and alerts (placeholder until the services land). */
import type { Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';

type HwHandlers = Pick<
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

export function createHardwareHandlers(): HwHandlers {
  const todo = async (): Promise<never> => {
    throw new AppError('UNSUPPORTED', { what: 'not implemented yet' });
  };
  return {
    'hardware.probe': todo,
    'hardware.reportText': todo,
    'telemetry.status': async () => ({ running: false, gpuSource: 'none', noGpuReason: 'not-implemented', intervalMs: 1000, thermalThresholdC: 83 }),
    'telemetry.history': async () => [],
    'power.status': async () => [],
    'power.setLimit': todo,
    'power.resetLimit': todo,
    'power.lockClocks': todo,
    'power.resetClocks': todo,
    'alerts.list': async () => [],
  };
}
