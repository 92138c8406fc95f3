/**
 * The history list's groups (issue 13 §2): pinned ones on top, then Today / Previous 7 days / Older by the time of
 * the last change, in local time. Pure: `now` is passed in (groups.test.ts).
 */
import type { ConversationListItem } from '@shared/chat-schemas';

export type GroupKey = 'pinned' | 'today' | 'week' | 'older';

export interface Group<T> {
  key: GroupKey;
  items: T[];
}

type Item = Pick<ConversationListItem, 'pinned' | 'updatedAt'>;

const ORDER: GroupKey[] = ['pinned', 'today', 'week', 'older'];

/** Local midnight `days` days before the day of `now` (calendar days, so a DST change does not shift a boundary). */
function midnight(now: number, days: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - days);
  return d.getTime();
}

/** Non-empty groups in display order; newest first inside each. */
export function groupConversations<T extends Item>(list: readonly T[], now: number): Group<T>[] {
  const today = midnight(now, 0);
  const week = midnight(now, 7);
  const by = new Map<GroupKey, T[]>(ORDER.map((k) => [k, []]));
  for (const c of list) {
    const key: GroupKey = c.pinned ? 'pinned' : c.updatedAt >= today ? 'today' : c.updatedAt >= week ? 'week' : 'older';
    by.get(key)!.push(c);
  }
  return ORDER.map((key) => ({ key, items: by.get(key)!.sort((a, b) => b.updatedAt - a.updatedAt) })).filter(
    (g) => g.items.length > 0,
  );
}
