import { z } from 'zod';
import { errorMessages } from './error-messages';

export { errorMessages };

/**
 * Every failure the UI or an API client can see is one of these codes. The renderer translates them
 * (renderer/i18n reuses `errorMessages` below); the HTTP API picks a language from Accept-Language.
 */
export const ErrorCode = z.enum([
  'INVALID_PARAMS',
  'BAD_JSON',
  'BAD_REQUEST',
  'METHOD_NOT_ALLOWED',
  'UNKNOWN_METHOD',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'FORBIDDEN_HOST',
  'FORBIDDEN_ORIGIN',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED',
  'INTERNAL',
  'MODEL_NOT_FOUND',
  'MODEL_NOT_FILE',
  'MODEL_NOT_GGUF',
  'MODEL_TRUNCATED',
  'MODEL_CORRUPT',
  'MODEL_UNSUPPORTED_ARCH',
  'MODEL_LOAD_FAILED',
  'BACKEND_BINARY_MISSING',
  'BACKEND_PORT_IN_USE',
  'BACKEND_OOM',
  'BACKEND_CRASHED',
  'BACKEND_EXITED',
  'BACKEND_LOAD_TIMEOUT',
  'BACKEND_NOT_READY',
  'BACKEND_BUSY',
  'BACKEND_QUEUE_FULL',
  'CHAT_FAILED',
  'UPSTREAM_ERROR',
  'SERVER_PORT_IN_USE',
  'NO_GPU',
  'CONVERSATION_NOT_FOUND',
  'POWER_PERMISSION',
  'POWER_RANGE',
  'POWER_UNSUPPORTED',
  'POWER_FAILED',
  'HUB_BAD_REF',
  'HUB_UNREACHABLE',
  'HUB_NOT_FOUND',
  'HUB_FILE_NOT_FOUND',
  'HUB_AUTH_REQUIRED',
  'HUB_NO_GGUF',
  'HUB_QUANT_NOT_FOUND',
  'HUB_QUANT_NEEDED',
  'HUB_NO_CHECKSUM',
  'HUB_RATE_LIMITED',
  'HUB_UNSAFE_PATH',
  'DOWNLOAD_DISK_FULL',
  'DISK_FULL',
  'DOWNLOAD_HASH_MISMATCH',
  'DOWNLOAD_SIZE_MISMATCH',
  'DOWNLOAD_FAILED',
  'DOWNLOAD_NOT_FOUND',
  'DOWNLOAD_ACTIVE',
  'MODEL_IN_USE',
  'MODEL_EXISTS',
  'CATALOG_MODEL_NOT_FOUND',
  'CATALOG_INVALID',
  'DATA_DIR_LOCKED',
  'DATA_DIR_IN_USE',
  'RUNTIME_NOT_FOUND',
  'RUNTIME_ASSET_MISSING',
  'RUNTIME_DIGEST_MISMATCH',
  'RUNTIME_ARCHIVE_UNSAFE',
  'RUNTIME_ARCHIVE_BAD',
  'RUNTIME_CHECK_FAILED',
  'RUNTIME_IN_USE',
  'RUNTIME_BUSY',
  'RUNTIME_BUILD_FAILED',
  'RELEASE_UNREACHABLE',
  'UPDATE_NOT_READY',
  'UPDATE_FAILED',
  'RUNTIME_UNVERIFIABLE',
  'BACKEND_HUNG',
  'DRAFT_REQUIRED',
  'DRAFT_INVALID',
  'DRAFT_VOCAB_MISMATCH',
  'DRAFT_TOO_BIG',
  'SPEC_MTP_UNAVAILABLE',
  'GPU_DEVICE_NOT_FOUND',
  'TUNE_BUSY',
  'TUNE_FAILED',
  'TUNE_BENCH_MISSING',
  'CONTEXT_OVERFLOW',
  'MESSAGE_NOT_FOUND',
  'REPLY_IN_PROGRESS',
  'IMPORT_INVALID',
  'PRESET_NOT_FOUND',
  'PRESET_BUILTIN',
  'STORE_CORRUPT',
  'MODEL_NOT_INSTALLED',
  'MODEL_DOES_NOT_FIT',
  'EMBEDDINGS_UNSUPPORTED',
  'TLS_FAILED',
  'ATTACHMENT_TOO_BIG',
  'API_KEY_NOT_FOUND',
  'LAN_LISTEN_FAILED',
  'MODEL_NOT_LOADED',
  'MODEL_BACKEND_IN_USE',
  'QUANT_TOOL_MISSING',
  'QUANT_UNKNOWN_TYPE',
  'QUANT_NEEDS_IMATRIX',
  'QUANT_REQUANTIZE',
  'QUANT_NO_SPACE',
  'QUANT_FAILED',
  'IMATRIX_INVALID',
  'IMATRIX_FAILED',
  'QUALITY_FAILED',
  'QUALITY_TEXT_MISSING',
  'WORK_NOT_FOUND',
  'WORK_ACTIVE',
  'VLLM_NOT_FOUND',
  'VLLM_TOO_OLD',
  'VLLM_NO_GPU',
  'VLLM_UNSUPPORTED_QUANT',
  'VLLM_UNSUPPORTED_ARCH',
  'VLLM_PYTHON_ENV',
  'VLLM_BAD_MODEL',
  'VLLM_UNSUPPORTED_PLATFORM',
  'VLLM_DOES_NOT_FIT',
  'RAY_FAILED',
  'REMOTE_BAD_URL',
  'REMOTE_REFUSED',
  'REMOTE_UNREACHABLE',
  'REMOTE_AUTH',
  'REMOTE_TIMEOUT',
  'REMOTE_NOT_OPENAI',
  'REMOTE_TLS',
  'REMOTE_STREAM_CUT',
  'REMOTE_MODEL_NOT_FOUND',
  'REMOTE_NOT_FOUND',
  'SECRET_STORE_FAILED',
  'RPC_BAD_ADDRESS',
  'RPC_UNREACHABLE',
  'RPC_INCOMPATIBLE',
  'RPC_WORKER_LOST',
  'RPC_WORKER_NOT_FOUND',
  'RPC_WORKER_EXISTS',
  'RPC_WORKER_MODE_FAILED',
  'RPC_NOT_BUILT',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorInfo = z.object({
  code: ErrorCode,
  /** English text, for logs and API clients that do not translate. */
  message: z.string(),
  /** Values interpolated into the translated message ({{path}}, {{port}} …). */
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** Raw text behind the error (stderr lines, zod issues), kept for bug reports. */
  details: z.string().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

type Params = NonNullable<ErrorInfo['params']>;

/** An error as a value: thrown inside core, carried across every transport as ErrorInfo. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly params: Params | undefined;
  readonly details: string | undefined;
  constructor(code: ErrorCode, params?: Params, details?: string) {
    super(formatError('en', code, params));
    this.name = 'AppError';
    this.code = code;
    this.params = params;
    this.details = details;
  }
  toInfo(): ErrorInfo {
    return {
      code: this.code,
      message: this.message,
      ...(this.params ? { params: this.params } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
  static from(info: ErrorInfo): AppError {
    return new AppError(info.code, info.params, info.details);
  }
}

export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof AppError) return e.toInfo();
  const details = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return new AppError('INTERNAL', { reason: e instanceof Error ? e.message : String(e) }, details).toInfo();
}

/** HTTP status for an error code (API responses). */
export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_PARAMS':
    case 'BAD_JSON':
    case 'BAD_REQUEST':
    case 'MODEL_NOT_GGUF':
    case 'MODEL_NOT_FILE':
    case 'MODEL_TRUNCATED':
    case 'MODEL_CORRUPT':
    case 'MODEL_UNSUPPORTED_ARCH':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN_HOST':
    case 'FORBIDDEN_ORIGIN':
      return 403;
    case 'NOT_FOUND':
    case 'UNKNOWN_METHOD':
    case 'MODEL_NOT_FOUND':
      return 404;
    case 'METHOD_NOT_ALLOWED':
      return 405;
    case 'BACKEND_BUSY':
      return 409;
    case 'POWER_RANGE':
      return 400;
    case 'POWER_PERMISSION':
      return 403;
    case 'NO_GPU':
    case 'CONVERSATION_NOT_FOUND':
      return 404;
    case 'POWER_UNSUPPORTED':
      return 501;
    case 'HUB_BAD_REF':
    case 'HUB_QUANT_NEEDED':
      return 400;
    case 'HUB_NOT_FOUND':
    case 'HUB_FILE_NOT_FOUND':
    case 'HUB_NO_GGUF':
    case 'HUB_QUANT_NOT_FOUND':
    case 'DOWNLOAD_NOT_FOUND':
    case 'CATALOG_MODEL_NOT_FOUND':
      return 404;
    case 'HUB_AUTH_REQUIRED':
      return 403;
    case 'MODEL_IN_USE':
    case 'MODEL_EXISTS':
    case 'DOWNLOAD_ACTIVE':
    case 'DATA_DIR_LOCKED':
    case 'DATA_DIR_IN_USE':
    case 'RUNTIME_IN_USE':
    case 'RUNTIME_BUSY':
      return 409;
    case 'RUNTIME_NOT_FOUND':
    case 'RUNTIME_ASSET_MISSING':
      return 404;
    case 'RUNTIME_DIGEST_MISMATCH':
    case 'RUNTIME_ARCHIVE_UNSAFE':
    case 'RUNTIME_ARCHIVE_BAD':
    case 'RELEASE_UNREACHABLE':
    case 'RUNTIME_UNVERIFIABLE':
      return 502;
    case 'RUNTIME_CHECK_FAILED':
      return 422;
    case 'UPDATE_NOT_READY':
    case 'TUNE_BUSY':
      return 409;
    case 'DRAFT_REQUIRED':
    case 'DRAFT_INVALID':
    case 'DRAFT_VOCAB_MISMATCH':
    case 'DRAFT_TOO_BIG':
    case 'SPEC_MTP_UNAVAILABLE':
    case 'GPU_DEVICE_NOT_FOUND':
      return 422;
    case 'TUNE_BENCH_MISSING':
      return 404;
    case 'UPDATE_FAILED':
      return 502;
    case 'CONTEXT_OVERFLOW':
    case 'MODEL_DOES_NOT_FIT':
      return 422;
    case 'MESSAGE_NOT_FOUND':
    case 'PRESET_NOT_FOUND':
    case 'MODEL_NOT_INSTALLED':
    case 'API_KEY_NOT_FOUND':
      return 404;
    case 'REPLY_IN_PROGRESS':
    case 'PRESET_BUILTIN':
    case 'MODEL_NOT_LOADED':
    case 'MODEL_BACKEND_IN_USE':
      return 409;
    case 'IMPORT_INVALID':
      return 400;
    case 'ATTACHMENT_TOO_BIG':
      return 413;
    case 'EMBEDDINGS_UNSUPPORTED':
      return 501;
    case 'HUB_RATE_LIMITED':
      return 429;
    case 'HUB_UNREACHABLE':
    case 'HUB_UNSAFE_PATH':
      return 502;
    case 'DOWNLOAD_DISK_FULL':
    case 'DISK_FULL':
      return 507;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED':
      return 501;
    case 'BACKEND_NOT_READY':
    case 'BACKEND_QUEUE_FULL':
      return 503;
    case 'UPSTREAM_ERROR':
      return 502;
    // An external server (our API forwarding to it) failed: a bad gateway, or one that did not answer in time.
    case 'REMOTE_REFUSED':
    case 'REMOTE_UNREACHABLE':
    case 'REMOTE_TLS':
    case 'REMOTE_AUTH':
    case 'REMOTE_NOT_OPENAI':
    case 'REMOTE_STREAM_CUT':
      return 502;
    case 'REMOTE_TIMEOUT':
      return 504;
    case 'QUANT_TOOL_MISSING':
    case 'WORK_NOT_FOUND':
      return 404;
    case 'QUANT_UNKNOWN_TYPE':
    case 'QUANT_NEEDS_IMATRIX':
    case 'QUANT_REQUANTIZE':
    case 'IMATRIX_INVALID':
      return 422;
    case 'QUANT_NO_SPACE':
      return 507;
    case 'WORK_ACTIVE':
      return 409;
    default:
      return 500;
  }
}

export type Lang = 'en' | 'zh-CN';

/** Fills a message's {{placeholders}} literally (a missing param shows "…"), as i18next does in the renderer. */
export function fillMessage(template: string, params?: Params): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) =>
    params && params[k] !== undefined ? String(params[k]) : '…',
  );
}

export function formatError(lang: Lang, code: ErrorCode, params?: Params): string {
  return fillMessage(errorMessages[lang][code], params);
}

export function pickLang(acceptLanguage: string | undefined | null): Lang {
  return acceptLanguage && /^\s*zh/i.test(acceptLanguage) ? 'zh-CN' : 'en';
}
