import { describe, expect, it } from 'vitest';
import { fitReasonMessages } from './models';
import { probeNote, probeNoteMessages, ProbeNoteCode } from './telemetry';

const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('probe notes and fit reasons in both languages', () => {
  it.each([
    ...Object.keys(probeNoteMessages.en).map(
      (k) =>
        ['probe', k, probeNoteMessages.en[k as ProbeNoteCode], probeNoteMessages['zh-CN'][k as ProbeNoteCode]] as const,
    ),
    ...Object.entries(fitReasonMessages.en).map(
      ([k, en]) => ['fit', k, en, fitReasonMessages['zh-CN'][k as keyof typeof fitReasonMessages.en]] as const,
    ),
  ])('%s %s: zh-CN uses the same placeholders as en', (_ns, _code, en, zh) => {
    expect(placeholders(zh)).toEqual(placeholders(en));
    // Raw tool output ({{error}} alone) needs no translation; everything else has Chinese text.
    if (en !== '{{error}}') expect(zh).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('probeNote', () => {
  it('fills the English message from params and keeps code and params for the UI', () => {
    expect(probeNote('nvidia-smi', 'TOOL_TIMEOUT', { ms: 500 })).toEqual({
      tool: 'nvidia-smi',
      code: 'TOOL_TIMEOUT',
      params: { ms: 500 },
      message: 'did not answer within 500 ms and was stopped',
    });
    expect(probeNote('disk', 'DISK_UNREADABLE', { path: 'C:\\$Models', error: 'EACCES' }).message).toBe(
      'cannot read free space of C:\\$Models: EACCES',
    );
  });

  it('every code is in the schema', () => {
    expect(Object.keys(probeNoteMessages.en).sort()).toEqual([...ProbeNoteCode.options].sort());
  });
});
