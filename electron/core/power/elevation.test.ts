import { describe, expect, it } from 'vitest';
import type { ToolResult } from '../util/run-tool';
import { detectPrivileged, elevatedFromWhoamiGroups } from './elevation';

// Trimmed `whoami /groups` output (the columns are Group Name, Type, SID, Attributes).
const header = `GROUP INFORMATION\n-----------------\n\nGroup Name                                                    Type             SID          Attributes\n============================================================= ================ ============ ==================================================\nEveryone                                                      Well-known group S-1-1-0      Mandatory group, Enabled by default, Enabled group\n`;
const label = (name: string, sid: string) => `${header}Mandatory Label\\${name.padEnd(46)} Label            ${sid}\n`;

describe('elevatedFromWhoamiGroups', () => {
  it.each([
    ['an elevated administrator (High)', label('High Mandatory Level', 'S-1-16-12288'), true],
    ['SYSTEM', label('System Mandatory Level', 'S-1-16-16384'), true],
    ['a normal user, or an administrator without UAC (Medium)', label('Medium Mandatory Level', 'S-1-16-8192'), false],
    ['Medium Plus', label('Medium Plus Mandatory Level', 'S-1-16-8448'), false],
    // A German Windows: the names are translated, the SIDs are not.
    ['German, elevated', label('Hohe Verbindlichkeitsstufe', 'S-1-16-12288'), true],
    ['no label line', header, false],
    ['a longer SID that only starts the same', label('Custom', 'S-1-16-122880'), false],
  ])('%s → %s', (_name, text, want) => expect(elevatedFromWhoamiGroups(text)).toBe(want));
});

describe('detectPrivileged', () => {
  const result = (over: Partial<ToolResult>): ToolResult => ({
    ok: true,
    code: 0,
    signal: null,
    stdout: '',
    stderr: '',
    timedOut: false,
    missing: false,
    error: null,
    durationMs: 5,
    ...over,
  });

  it('Windows: asks whoami, and a failed or hung whoami means not elevated', async () => {
    const calls: string[][] = [];
    const run = (out: Partial<ToolResult>) => async (cmd: string, args: string[]) => {
      calls.push([cmd, ...args]);
      return result(out);
    };
    expect(await detectPrivileged('win32', run({ stdout: label('High Mandatory Level', 'S-1-16-12288') }), {})).toBe(
      true,
    );
    expect(calls).toEqual([['whoami', '/groups']]);
    expect(await detectPrivileged('win32', run({ stdout: label('Medium Mandatory Level', 'S-1-16-8192') }), {})).toBe(
      false,
    );
    expect(await detectPrivileged('win32', run({ ok: false, timedOut: true }), {})).toBe(false);
    expect(await detectPrivileged('win32', run({ ok: false, missing: true }), {})).toBe(false);
  });

  it('POSIX: root, without running anything', async () => {
    const run = async () => {
      throw new Error('must not run a tool');
    };
    expect(await detectPrivileged('linux', run, {})).toBe(process.getuid?.() === 0);
  });
});
