/**
 * What a part of the core reports when something deserves the user's attention (the alert rules, the power service,
 * the thermal guard, the sampler); the log gives it an id and a time. Producers depend on this type only, not on
 * the log, so telemetry and power need not know each other to raise alerts.
 */
import type { Alert } from '../../shared/telemetry';

export type AlertDraft = Omit<Alert, 'id' | 'ts'>;
