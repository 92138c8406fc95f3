/**
 * exitOutcome(): what the supervisor does when llama-server exits, as a table.
 */
import { describe, expect, it } from 'vitest';
import { exitOutcome, PORT_RETRIES, type ExitInput, type ExitOutcome } from './exit-outcome';

describe('exitOutcome', () => {
  it.each<{ name: string; input: ExitInput; want: ExitOutcome }>([
    // The stall timeout already reported why; the kill it sent is not a crash.
    { name: 'already failed', input: { state: 'crashed', bindFailed: false, attempt: 1 }, want: { kind: 'ignore' } },
    { name: 'a later run began', input: { state: null, bindFailed: true, attempt: 1 }, want: { kind: 'ignore' } },
    { name: 'we stopped it', input: { state: 'stopping', bindFailed: false, attempt: 1 }, want: { kind: 'stopped' } },
    // Someone took the port between our probe and the bind: another port, not an error.
    { name: 'port taken', input: { state: 'loading', bindFailed: true, attempt: 1 }, want: { kind: 'retry-port' } },
    {
      name: 'port taken, retries spent',
      input: { state: 'loading', bindFailed: true, attempt: PORT_RETRIES },
      want: { kind: 'crashed', phase: 'loading' },
    },
    // A bind failure after it was serving is not a race on our probe.
    {
      name: 'died while serving',
      input: { state: 'ready', bindFailed: true, attempt: 1 },
      want: { kind: 'crashed', phase: 'running' },
    },
    {
      name: 'died while loading',
      input: { state: 'loading', bindFailed: false, attempt: 1 },
      want: { kind: 'crashed', phase: 'loading' },
    },
  ])('$name', ({ input, want }) => {
    expect(exitOutcome(input)).toEqual(want);
  });
});
