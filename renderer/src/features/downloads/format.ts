/** Download figures as people read them. Pure, tested in format.test.ts. */
import type { DownloadJob, DownloadRequest } from '@shared/models';

/** Whole percent, never 100 before the last byte (a bar at 100 % that keeps running looks broken). */
export function percent(received: number, total: number): number {
  if (total <= 0) return 0;
  const p = Math.floor((received / total) * 100);
  return received >= total ? 100 : Math.min(99, p);
}

/** Seconds split for display: under a minute in seconds, under an hour in min + s, then h + min. */
export function durationParts(
  seconds: number,
): { unit: 's'; s: number } | { unit: 'm'; m: number; s: number } | { unit: 'h'; h: number; m: number } {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return { unit: 's', s: total };
  if (total < 3600) return { unit: 'm', m: Math.floor(total / 60), s: total % 60 };
  const h = Math.floor(total / 3600);
  return { unit: 'h', h, m: Math.floor((total % 3600) / 60) };
}

/** The host of an endpoint URL, for "via hf-mirror.com". */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The request that started a job, to ask for it again (a failed job resumes into its partial file). */
export function requestOf(job: DownloadJob): DownloadRequest {
  if (job.catalogId && job.quant) return { catalogId: job.catalogId, quant: job.quant };
  const rev = job.revision;
  const ref =
    job.hub === 'modelscope'
      ? `modelscope.cn/models/${job.repo}`
      : rev && rev !== 'main'
        ? `https://huggingface.co/${job.repo}/tree/${encodeURIComponent(rev)}`
        : job.repo;
  return { ref, file: job.files[0]?.path ?? job.targetPath };
}
