/**
 * What happens to the conversation store at each start: open (a damaged file is set aside, see db.ts), purge what
 * was deleted in the last run, mark replies left 'streaming' by a crash as 'interrupted', and copy the JSON
 * conversations of earlier versions in once (recorded in the database; a fresh database after a damaged one gets
 * them again).
 */
import { LEGACY_MIGRATED_KEY, legacyToInsert, readLegacyConversations } from './legacy';
import { SqliteConversationRepo, newId, type StoreOptions } from './store';

export interface StartReport {
  purged: number;
  interrupted: number;
  /** Conversations copied from the JSON files at this start (null: done at an earlier start). */
  migrated: number | null;
}

export function migrateLegacy(
  repo: SqliteConversationRepo,
  dataDir: string,
  log: (msg: string) => void,
): number | null {
  if (repo.meta(LEGACY_MIGRATED_KEY) !== null) return null;
  const old = readLegacyConversations(dataDir, log);
  const existing = new Set(repo.list().map((c) => c.id));
  const inserts = old
    .filter((c) => !existing.has(c.id))
    .map((c) => legacyToInsert(c, { conversation: c.id, message: newId }));
  repo.insertMany(inserts);
  repo.setMeta(LEGACY_MIGRATED_KEY, JSON.stringify({ at: Date.now(), conversations: inserts.length }));
  if (inserts.length) log(`conversations: copied ${inserts.length} saved conversation(s) into the database`);
  return inserts.length;
}

export function openConversationStore(opts: StoreOptions): { repo: SqliteConversationRepo; report: StartReport } {
  const repo = new SqliteConversationRepo(opts);
  try {
    const purged = repo.purgeDeleted();
    const interrupted = repo.markInterrupted();
    let migrated: number | null = null;
    try {
      migrated = migrateLegacy(repo, opts.dataDir, opts.log);
    } catch (e) {
      // The store works without the old conversations; the next start tries again.
      opts.log(`conversations: copying the old JSON conversations failed: ${(e as Error).message}`);
    }
    return { repo, report: { purged, interrupted, migrated } };
  } catch (e) {
    repo.close();
    throw e;
  }
}
