/**
 * A backend's status as every kind keeps it: set() publishes a patch (numbered by seq) to the listeners; waitReady()
 * resolves once the state is ready and rejects with the status's error once it is crashed or stopped.
 */
import { AppError } from '../../shared/errors';
import type { BackendStatus } from '../../shared/schemas';

type Waiter = { resolve: () => void; reject: (e: AppError) => void };

export class StatusCell {
  private st: BackendStatus;
  private readonly listeners = new Set<(s: BackendStatus) => void>();
  private waiters: Waiter[] = [];

  constructor(initial: BackendStatus) {
    this.st = initial;
  }

  get current(): BackendStatus {
    return this.st;
  }

  onChange(l: (s: BackendStatus) => void): () => void {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }

  waitReady(): Promise<void> {
    if (this.st.state === 'ready') return Promise.resolve();
    if (this.st.state === 'crashed' || this.st.state === 'stopped') return Promise.reject(this.failure());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  set(patch: Partial<BackendStatus>): BackendStatus {
    this.st = { ...this.st, ...patch, seq: this.st.seq + 1 };
    for (const l of [...this.listeners]) l(this.st);
    const s = this.st.state;
    if (s === 'ready' || s === 'crashed' || s === 'stopped') {
      const waiters = this.waiters;
      this.waiters = [];
      const err = s === 'ready' ? null : this.failure();
      for (const w of waiters) {
        if (err) w.reject(err);
        else w.resolve();
      }
    }
    return this.st;
  }

  private failure(): AppError {
    return this.st.error ? AppError.from(this.st.error) : new AppError('BACKEND_NOT_READY');
  }
}
