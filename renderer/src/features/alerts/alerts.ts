/** The event log's list: the core's backlog merged with live `alert` events, by id. Pure. */
import type { Alert } from '@shared/telemetry';
import { appendByKey, mergeByKey } from '../../lib/ordered';

export const MAX_ALERTS = 500;

const idOf = (a: Alert) => a.id;

export function mergeAlerts(a: readonly Alert[], b: readonly Alert[], max = MAX_ALERTS): Alert[] {
  return mergeByKey(a, b, idOf, max);
}

export function appendAlert(list: readonly Alert[], a: Alert, max = MAX_ALERTS): Alert[] {
  return appendByKey(list, a, idOf, max);
}
