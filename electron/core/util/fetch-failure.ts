/** Why a fetch() failed, in a few words: 'timed out', the socket error's code (ECONNREFUSED, …), or its message. */
export function fetchFailureReason(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}
