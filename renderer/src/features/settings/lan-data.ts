/**
 * Settings → LAN access, the pure part: which addresses to offer (the machine's, plus saved ones no longer present,
 * so they can be unticked) and what ticking one does to settings.api.lanAddresses, and the origins text box.
 */
import type { NetworkAddress } from '@shared/contract-api';

export const ALL_INTERFACES = '0.0.0.0';

export interface AddressChoice {
  address: string;
  /** The interface name, or null for a saved address this machine no longer has. */
  iface: string | null;
  checked: boolean;
}

export function addressChoices(saved: readonly string[], available: readonly NetworkAddress[]): AddressChoice[] {
  const all = saved.includes(ALL_INTERFACES);
  const out: AddressChoice[] = available.map((a) => ({
    address: a.address,
    iface: a.interface,
    checked: all || saved.includes(a.address),
  }));
  for (const s of saved)
    if (s !== ALL_INTERFACES && !available.some((a) => a.address === s))
      out.push({ address: s, iface: null, checked: true });
  return out;
}

/** Ticking "all" replaces the list; ticking one address leaves "all" for the ones ticked. */
export function toggleAddress(
  saved: readonly string[],
  choices: readonly AddressChoice[],
  address: string,
  on: boolean,
): string[] {
  if (address === ALL_INTERFACES) return on ? [ALL_INTERFACES] : [];
  const ticked = choices.filter((c) => c.checked).map((c) => c.address);
  const next = on ? [...ticked, address] : ticked.filter((a) => a !== address);
  return [...new Set(next)].slice(0, 20);
}

export const originsText = (list: readonly string[]) => list.join('\n');
export const originsList = (text: string) =>
  [
    ...new Set(
      text
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
    .filter((s) => s.length <= 300)
    .slice(0, 50);
