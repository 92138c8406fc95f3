/**
 * What a download's errors mean to the user: a write that failed on a full disk is DOWNLOAD_DISK_FULL (with what is
 * needed and what is free), anything else DOWNLOAD_FAILED with the reason. Pure: the caller asks the disk how much is
 * free (downloader.ts), so these are plain decisions.
 */
import { AppError } from '../../shared/errors';
import { formatBytes } from '../../shared/format';

/** An error's message with its cause's code (ECONNRESET …), which is what tells the user what happened. */
export function describe(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err?.cause?.code ?? err?.cause?.message;
  return cause ? `${err.message ?? e} (${cause})` : String(err?.message ?? e);
}

/** A segment worker's error as the download's failure: an AppError as it is, anything else DOWNLOAD_FAILED. */
export function asDownloadFailure(e: unknown, label: string): AppError {
  return e instanceof AppError
    ? e
    : new AppError('DOWNLOAD_FAILED', { file: label, reason: describe(e) }, String((e as Error)?.stack ?? e));
}

/** True when a write failed because the disk (or the quota) is full. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  // (DISK_FULL: the sidecar's atomic write already said so.)
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'DISK_FULL';
}

/** A failed write of the partial file or its sidecar; `free` is the free space in `dir` when the disk is full. */
export function writeFailure(
  e: unknown,
  where: { dir: string; partialPath: string; label: string; remaining: number },
  free: number | null,
): AppError {
  if (isDiskFull(e)) {
    return new AppError(
      'DOWNLOAD_DISK_FULL',
      { path: where.dir, needed: formatBytes(where.remaining), free: free === null ? '?' : formatBytes(free) },
      describe(e),
    );
  }
  return new AppError(
    'DOWNLOAD_FAILED',
    { file: where.label, reason: `cannot write ${where.partialPath}: ${describe(e)}` },
    String((e as Error)?.stack ?? e),
  );
}
