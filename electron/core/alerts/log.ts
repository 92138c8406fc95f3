/** Every alert: an `alert` event for the toast, an entry in a bounded log for the event list, and a log line. */
import type { Alert } from '../../shared/telemetry';
import { RingBuffer } from '../util/ring-buffer';
import type { AlertDraft } from './draft';

export class AlertLog {
  private readonly items: RingBuffer<Alert>;
  private nextId = 1;

  constructor(
    private readonly emit: (a: Alert) => void,
    private readonly log: (line: string) => void = () => undefined,
    capacity = 500,
    private readonly now: () => number = Date.now,
  ) {
    this.items = new RingBuffer<Alert>(capacity);
  }

  push(draft: AlertDraft): Alert {
    const alert: Alert = { id: this.nextId++, ts: this.now(), ...draft };
    this.items.push(alert);
    const params = Object.entries(alert.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    this.log(`alert ${alert.kind}${alert.gpu === null ? '' : ` gpu=${alert.gpu}`} ${params}`.trim());
    this.emit(alert);
    return alert;
  }

  /** The newest `limit` alerts, oldest first. */
  list(limit = 100): Alert[] {
    return this.items.last(limit);
  }
}
