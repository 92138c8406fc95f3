import { describe, expect, it } from 'vitest';
import { groupConversations } from './groups';

// Local times, so the test means the same in every time zone the suite runs in.
const at = (y: number, mo: number, d: number, h = 12, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();
const now = at(2026, 3, 15, 9, 30);

const item = (id: string, updatedAt: number, pinned = false) => ({ id, updatedAt, pinned });
const shape = (list: ReturnType<typeof item>[], n = now) =>
  groupConversations(list, n).map((g) => [g.key, g.items.map((i) => i.id)]);

describe('groupConversations', () => {
  it.each<[string, number, string]>([
    ['a minute ago', at(2026, 3, 15, 9, 29), 'today'],
    ['just after midnight today', at(2026, 3, 15, 0, 0), 'today'],
    ['just before midnight (yesterday)', at(2026, 3, 14, 23, 59), 'week'],
    ['six days ago', at(2026, 3, 9, 8), 'week'],
    ['seven days ago at midnight', at(2026, 3, 8, 0, 0), 'week'],
    ['just before that', at(2026, 3, 7, 23, 59), 'older'],
    ['last year', at(2025, 3, 15), 'older'],
    // A clock that moved back (another machine's import) is still "today", not an empty group.
    ['in the future', at(2026, 3, 16), 'today'],
  ])('%s → %s', (_name, updatedAt, group) => {
    expect(shape([item('x', updatedAt)])).toEqual([[group, ['x']]]);
  });

  it('pinned ones go on top whatever their age; groups keep newest first and empty groups are left out', () => {
    const list = [
      item('old', at(2025, 1, 1)),
      item('pinnedOld', at(2024, 1, 1), true),
      item('morning', at(2026, 3, 15, 8)),
      item('earlier', at(2026, 3, 15, 1)),
      item('pinnedNew', at(2026, 3, 15, 9), true),
    ];
    expect(shape(list)).toEqual([
      ['pinned', ['pinnedNew', 'pinnedOld']],
      ['today', ['morning', 'earlier']],
      ['older', ['old']],
    ]);
  });

  it('a day with a DST change keeps calendar boundaries', () => {
    // Whatever the zone, "seven days ago" is the calendar day, at local midnight.
    const n = at(2026, 11, 3, 12);
    expect(shape([item('a', at(2026, 10, 27, 0, 0)), item('b', at(2026, 10, 26, 23, 59))], n)).toEqual([
      ['week', ['a']],
      ['older', ['b']],
    ]);
  });

  it('an empty list has no groups', () => {
    expect(groupConversations([], now)).toEqual([]);
  });
});
