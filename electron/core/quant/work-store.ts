/**
 * work.json: the work queue's list, kept across page reloads and restarts. Only the jobs' snapshots are stored (a
 * job never restarts by itself, so nothing else is needed to run it again). A list that no longer parses is set
 * aside as work.json.corrupt-<time>, never written over; an entry that does not parse is dropped alone.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { WorkJob } from '../../shared/quant';
import { writeFileAtomic, type WriteQueue } from '../util/atomic-write';
import { setAside } from '../util/set-aside';
import { restoreJob } from './work-plan';

const StoreFile = z.object({ version: z.literal(1), jobs: z.array(z.unknown()) });

/** The stored jobs ([] without a list); those queued or running when the app stopped come back interrupted. */
export async function loadWork(file: string, log: (m: string) => void, now = Date.now()): Promise<WorkJob[]> {
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  let entries: unknown[];
  try {
    entries = StoreFile.parse(JSON.parse(raw)).jobs;
  } catch (e) {
    const aside = await setAside(file);
    log(
      `work list was unreadable (${(e as Error).message.slice(0, 200)}); ${aside ? `kept it as ${path.basename(aside)}` : 'could not move it aside'}`,
    );
    return [];
  }
  const jobs: WorkJob[] = [];
  for (const e of entries) {
    const r = WorkJob.safeParse(e);
    if (r.success) jobs.push(restoreJob(r.data, now));
    else log(`work list: dropped an entry that does not parse (${r.error.message.slice(0, 200)})`);
  }
  return jobs;
}

export async function saveWork(file: string, jobs: readonly WorkJob[], queue: WriteQueue): Promise<void> {
  const body = { version: 1 as const, jobs };
  await queue.run(() => writeFileAtomic(file, JSON.stringify(body) + '\n'));
}
