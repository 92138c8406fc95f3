/**
 * downloads.json: the job list that survives restarts (the bytes themselves resume from each file's sidecar). What a
 * job stored there needs to run again: its files (where each goes, its size and SHA-256) and the endpoints that can
 * serve them. A list that no longer parses is set aside as downloads.json.corrupt-<time>, never written over.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DownloadJob } from '../../shared/models';
import { writeFileAtomic, type WriteQueue } from '../util/atomic-write';
import { setAside } from '../util/set-aside';

export const FileSpec = z.object({
  path: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  target: z.string(),
  partial: z.string(),
});
/** One file of a job: its path in the repo, where it goes in the models folder and where it grows until verified. */
export type FileSpec = z.infer<typeof FileSpec>;
const CandidateSpec = z.object({
  endpoint: z.object({
    id: z.enum(['huggingface', 'hf-mirror', 'modelscope', 'custom']),
    hub: z.enum(['huggingface', 'modelscope']),
    url: z.string(),
  }),
  repo: z.string(),
  revision: z.string(),
  paths: z.array(z.string()),
});
const StoredJob = z.object({ job: DownloadJob, files: z.array(FileSpec), candidates: z.array(CandidateSpec) });
export type StoredJob = z.infer<typeof StoredJob>;
const StoreFile = z.object({ version: z.literal(1), jobs: z.array(StoredJob) });

/** The stored jobs ([] when there is no list yet). Jobs that were running when the app stopped come back paused. */
export async function loadJobs(file: string, log: (m: string) => void): Promise<StoredJob[]> {
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  let jobs: StoredJob[];
  try {
    jobs = StoreFile.parse(JSON.parse(raw)).jobs;
  } catch (e) {
    const aside = await setAside(file);
    log(
      `download list was unreadable (${(e as Error).message.slice(0, 200)}); ${aside ? `kept it as ${path.basename(aside)}` : 'could not move it aside'}`,
    );
    return [];
  }
  return jobs.map((st) => {
    const job = { ...st.job, bytesPerSecond: 0, etaSeconds: null };
    if (job.state === 'queued' || job.state === 'downloading' || job.state === 'verifying') job.state = 'paused';
    return { ...st, job };
  });
}

export async function saveJobs(file: string, jobs: StoredJob[], queue: WriteQueue): Promise<void> {
  const body = { version: 1 as const, jobs };
  await queue.run(() => writeFileAtomic(file, JSON.stringify(body, null, 1) + '\n'));
}
