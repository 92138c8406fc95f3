/** The event log's list: the core's backlog merged with live `alert` events, by id. Pure. */
import type { Alert } from '../../../../electron/shared/telemetry';

export const MAX_ALERTS = 500;

export function mergeAlerts(a: readonly Alert[], b: readonly Alert[], max = MAX_ALERTS): Alert[] {
  const byId = new Map<number, Alert>();
  for (const x of a) byId.set(x.id, x);
  for (const x of b) byId.set(x.id, x);
  const all = [...byId.values()].sort((x, y) => x.id - y.id);
  return all.length > max ? all.slice(all.length - max) : all;
}

export function appendAlert(list: readonly Alert[], a: Alert, max = MAX_ALERTS): Alert[] {
  const last = list[list.length - 1];
  if (last && a.id <= last.id) return mergeAlerts(list, [a], max);
  const next = list.length >= max ? list.slice(list.length - max + 1) : list.slice();
  next.push(a);
  return next;
}
