/** Outcomes as table cells: 'ok', or the code of the AppError thrown. Anything else is a bug in the test: rethrown. */
import { AppError, type ErrorCode } from '../shared/errors';

export async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

/** codeOf for a synchronous call. */
export function codeOfCall(fn: () => void): ErrorCode | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}
