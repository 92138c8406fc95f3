/**
 * Process-wide safety net for the entries (headless.ts, main/main.ts). Every request path has its own catch; this
 * is for the one that slips past it anyway: a stray rejection or exception is reported and the app keeps serving,
 * since dying would take the loaded model and every open conversation with it.
 */
export type StrayKind = 'unhandledRejection' | 'uncaughtException';

export function installProcessGuards(
  report: (e: unknown, kind: StrayKind) => void,
  proc: NodeJS.EventEmitter = process,
): () => void {
  // A throw from inside these listeners would end the process after all (stderr closed: EPIPE), so it is swallowed.
  const safe = (e: unknown, kind: StrayKind) => {
    try {
      report(e, kind);
    } catch {
      /* nowhere left to report to */
    }
  };
  const onRejection = (reason: unknown) => safe(reason, 'unhandledRejection');
  const onException = (error: unknown) => safe(error, 'uncaughtException');
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}
