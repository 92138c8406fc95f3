/**
 * The stable address's decisions as tables. What matters most: a plain restart reuses both the saved port and
 * token (bookmarks keep working); an override is used but never saved (the next plain start is back at the saved
 * address); only the saved port falls back when busy (an explicit --port that is busy stays an error).
 */
import { describe, expect, it } from 'vitest';
import { addressToSave, busyPortLine, planAddress, SavedAddress, type AddressInput } from './address-plan';

const TOKEN = 'saved-token-0123456789abcdef';
const saved = (port: number | null, token = TOKEN): SavedAddress => ({ v: 1, port, token });
const mint = () => 'minted-token-0123456789abcdef';

describe('planAddress', () => {
  it.each<[string, AddressInput, Partial<ReturnType<typeof planAddress>>]>([
    [
      'first start: the OS picks the port, a token is minted',
      { saved: null },
      { port: 0, portFrom: 'os', fallbackWhenBusy: false, token: mint(), tokenFrom: 'new', keepToken: mint() },
    ],
    [
      'restart: the saved port and token, with a fallback when the port is busy',
      { saved: saved(8080) },
      { port: 8080, portFrom: 'saved', fallbackWhenBusy: true, token: TOKEN, tokenFrom: 'saved' },
    ],
    [
      '--port overrides the saved port and has no fallback (the user asked for it)',
      { saved: saved(8080), argPort: 9000 },
      { port: 9000, portFrom: 'arg', fallbackWhenBusy: false, token: TOKEN, tokenFrom: 'saved' },
    ],
    ['--port 0 means any port, this run', { saved: saved(8080), argPort: 0 }, { port: 0, portFrom: 'arg' }],
    [
      'a saved token without a port (earlier starts all had --port): the OS picks',
      { saved: saved(null) },
      { port: 0, portFrom: 'os', tokenFrom: 'saved' },
    ],
    [
      '--token wins over DEEPLOCAL_TOKEN; the saved token is kept for later',
      { saved: saved(8080), argToken: 'a', envToken: 'e' },
      { token: 'a', tokenFrom: 'arg', keepToken: TOKEN },
    ],
    [
      'DEEPLOCAL_TOKEN wins over the saved token',
      { saved: saved(8080), envToken: 'e' },
      { token: 'e', tokenFrom: 'env' },
    ],
    [
      'an empty --token / DEEPLOCAL_TOKEN is not a token (it would let anyone in)',
      { saved: saved(8080), argToken: '', envToken: '' },
      { token: TOKEN, tokenFrom: 'saved' },
    ],
  ])('%s', (_why, input, want) => {
    expect(planAddress(input, mint)).toMatchObject(want);
  });
});

describe('addressToSave', () => {
  const plan = (input: AddressInput) => planAddress(input, mint);
  it.each<[string, AddressInput, number, SavedAddress | null]>([
    ['first start: the OS port and the minted token', { saved: null }, 41234, { v: 1, port: 41234, token: mint() }],
    ['plain restart on the saved port: nothing to write', { saved: saved(8080) }, 8080, null],
    [
      'saved port was busy, ran on another: the saved port is kept (nothing to write)',
      { saved: saved(8080) },
      41234,
      null,
    ],
    ['--port: the override is not saved', { saved: saved(8080), argPort: 9000 }, 9000, null],
    [
      '--port on a first start: the minted token is saved, no port yet',
      { saved: null, argPort: 9000 },
      9000,
      { v: 1, port: null, token: mint() },
    ],
    [
      '--token on a first start: the OS port and a minted token are saved for the plain starts',
      { saved: null, argToken: 'x' },
      5000,
      { v: 1, port: 5000, token: mint() },
    ],
    [
      '--port and --token on a first start: a minted token, no port yet',
      { saved: null, argPort: 9000, argToken: 'x' },
      9000,
      { v: 1, port: null, token: mint() },
    ],
    ['--token on a restart: the saved token stays', { saved: saved(8080), argToken: 'x' }, 8080, null],
    [
      'a saved token without port, plain start: the OS port joins it',
      { saved: saved(null) },
      41234,
      { v: 1, port: 41234, token: TOKEN },
    ],
  ])('%s', (_why, input, bound, want) => {
    expect(addressToSave(plan(input), input.saved, bound)).toEqual(want);
  });
});

describe('SavedAddress', () => {
  it.each([
    ['a good file', { v: 1, port: 8080, token: TOKEN }, true],
    ['no port yet', { v: 1, port: null, token: TOKEN }, true],
    ['port out of range', { v: 1, port: 70000, token: TOKEN }, false],
    ['a token too short to be a secret', { v: 1, port: 8080, token: 'short' }, false],
    ['a token with characters a URL or subprotocol cannot carry', { v: 1, port: 8080, token: `${TOKEN} x` }, false],
    ['another version', { v: 2, port: 8080, token: TOKEN }, false],
  ])('%s', (_why, value, ok) => {
    expect(SavedAddress.safeParse(value).success).toBe(ok);
  });
});

it('the busy line names both ports and says the saved one is kept', () => {
  expect(busyPortLine(8080, 41234)).toMatch(/^port 8080 is busy; using 41234 this time/);
  expect(busyPortLine(8080, 41234)).toContain('8080 is kept');
});
