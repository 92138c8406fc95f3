/**
 * The headless server's address, decided without I/O (table-tested in address-plan.test.ts): which port to listen
 * on, which token to require, what to do when the saved port is busy, and what to save afterwards.
 *
 * Rules (docs/ARCHITECTURE.md "A stable address"):
 * - `--port` / `--token` (and DEEPLOCAL_TOKEN) override for this run only; an override is never saved, so the
 *   saved address comes back on the next plain start.
 * - First start: the OS picks a free port and a token is minted; both are saved.
 * - A busy saved port: another port from the OS for this run, said in one line; the saved port is kept, because
 *   what holds it is usually passing (another program for a while, a server still shutting down) and moving it
 *   would break every bookmark for good. A busy `--port` is still an error: the user asked for that port.
 */
import { z } from 'zod';

/** What server.json holds. `port` is null until a start without `--port` has listened on a port of its own. */
export const SavedAddress = z.object({
  v: z.literal(1),
  port: z.number().int().min(1).max(65535).nullable(),
  token: z
    .string()
    .min(16)
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/),
});
export type SavedAddress = z.infer<typeof SavedAddress>;

export interface AddressInput {
  saved: SavedAddress | null;
  /** `--port N` (0: any free port, this run). */
  argPort?: number;
  argToken?: string;
  envToken?: string;
}

export interface AddressPlan {
  /** 0 asks the OS for a free port. */
  port: number;
  portFrom: 'arg' | 'saved' | 'os';
  /** Listening on `port` failed because it is in use: try port 0 instead (only for the saved port). */
  fallbackWhenBusy: boolean;
  token: string;
  tokenFrom: 'arg' | 'env' | 'saved' | 'new';
  /** The token server.json holds after this start: the saved one, or one minted now (also under an override). */
  keepToken: string;
}

export function planAddress(input: AddressInput, mintToken: () => string): AddressPlan {
  const { saved } = input;
  const portPart: Pick<AddressPlan, 'port' | 'portFrom' | 'fallbackWhenBusy'> =
    input.argPort !== undefined
      ? { port: input.argPort, portFrom: 'arg', fallbackWhenBusy: false }
      : saved?.port
        ? { port: saved.port, portFrom: 'saved', fallbackWhenBusy: true }
        : { port: 0, portFrom: 'os', fallbackWhenBusy: false };
  const keepToken = saved?.token ?? mintToken();
  // An empty --token or DEEPLOCAL_TOKEN= counts as not given (an empty token would let anyone in).
  const tokenPart: Pick<AddressPlan, 'token' | 'tokenFrom'> = input.argToken
    ? { token: input.argToken, tokenFrom: 'arg' }
    : input.envToken
      ? { token: input.envToken, tokenFrom: 'env' }
      : { token: keepToken, tokenFrom: saved ? 'saved' : 'new' };
  return { ...portPart, ...tokenPart, keepToken };
}

/**
 * What to write to server.json once the server listens on `boundPort`, or null when the file already says it.
 * Overrides are not saved: the port is the one the OS gave on a start with no saved port and no --port, the token
 * `keepToken` (so a first start with --token still leaves a saved token for the plain starts after it).
 */
export function addressToSave(plan: AddressPlan, saved: SavedAddress | null, boundPort: number): SavedAddress | null {
  const port = plan.portFrom === 'os' ? boundPort : (saved?.port ?? null);
  if (saved && saved.port === port && saved.token === plan.keepToken) return null;
  return { v: 1, port, token: plan.keepToken };
}

/** The one line printed when the saved port is busy. */
export const busyPortLine = (saved: number, used: number) =>
  `port ${saved} is busy; using ${used} this time (the saved port ${saved} is kept for the next start)`;
