import { describe, expect, it } from 'vitest';
import { createEventBus } from './event-bus';

describe('event bus listener counting', () => {
  it('counts listeners per event and tells watchers on every change', () => {
    const bus = createEventBus();
    const seen: number[] = [];
    const unwatch = bus.watchListeners('telemetry.sample', (n) => seen.push(n));
    const a = bus.on('telemetry.sample', () => undefined);
    const b = bus.on('telemetry.sample', () => undefined);
    bus.on('alert', () => undefined);
    expect(bus.listenerCount('telemetry.sample')).toBe(2);
    a();
    a(); // unsubscribing twice changes nothing
    b();
    expect(seen).toEqual([1, 2, 1, 0]);
    unwatch();
    bus.on('telemetry.sample', () => undefined);
    expect(seen).toEqual([1, 2, 1, 0]);
  });

  it('the same function subscribed twice counts (and is called) twice', () => {
    const bus = createEventBus();
    let calls = 0;
    const f = () => calls++;
    const u1 = bus.on('alert', f);
    bus.on('alert', f);
    bus.emit('alert', { id: 1, ts: 0, kind: 'vram-high', level: 'warning', gpu: 0, params: {} });
    expect(calls).toBe(2);
    u1();
    expect(bus.listenerCount('alert')).toBe(1);
  });

  it('a throwing watcher does not break subscription', () => {
    const errors: unknown[] = [];
    const bus = createEventBus((e) => errors.push(e));
    bus.watchListeners('alert', () => {
      throw new Error('boom');
    });
    const off = bus.on('alert', () => undefined);
    expect(bus.listenerCount('alert')).toBe(1);
    off();
    expect(errors).toHaveLength(2);
  });
});
