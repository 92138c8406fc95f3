import { ErrorCode, toErrorInfo, type ErrorInfo } from '@shared/errors';

/** Anything a call can reject with, as an ErrorInfo the UI can translate. */
export function asErrorInfo(e: unknown): ErrorInfo {
  if (e && typeof e === 'object' && 'code' in e && ErrorCode.safeParse((e as { code: unknown }).code).success) {
    const x = e as ErrorInfo & { params?: ErrorInfo['params']; details?: string };
    return {
      code: x.code,
      message: x.message ?? '',
      ...(x.params ? { params: x.params } : {}),
      ...(x.details ? { details: x.details } : {}),
    };
  }
  return toErrorInfo(e);
}
