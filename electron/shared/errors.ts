import { z } from 'zod';

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
      return 409;
    case 'UPDATE_FAILED':
      return 502;
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
    default:
      return 500;
  }
}

export type Lang = 'en' | 'zh-CN';

/** Message templates per code. `{{name}}` is replaced with params[name]. */
export const errorMessages: Record<Lang, Record<ErrorCode, string>> = {
  en: {
    INVALID_PARAMS: 'The request is not valid: {{issues}}',
    BAD_JSON: 'The request body is not valid JSON.',
    BAD_REQUEST: 'The request is malformed: {{reason}}',
    METHOD_NOT_ALLOWED: '{{path}} does not take {{method}} (use {{allowed}}).',
    UNKNOWN_METHOD: 'Unknown method "{{method}}".',
    NOT_FOUND: 'Not found: {{path}}',
    UNAUTHORIZED: 'Missing or wrong access token.',
    FORBIDDEN_HOST: 'Requests for host "{{host}}" are not accepted.',
    FORBIDDEN_ORIGIN: 'Requests from origin "{{origin}}" are not accepted.',
    PAYLOAD_TOO_LARGE: 'The request body is too large.',
    UNSUPPORTED: 'This is not available here: {{what}}',
    INTERNAL: 'Something went wrong inside DeepLocal: {{reason}}',
    MODEL_NOT_FOUND: 'No file at {{path}}.',
    MODEL_NOT_FILE: '{{path}} is not a model file (it is a folder, a pipe or a device).',
    MODEL_NOT_GGUF: '{{path}} is not a GGUF model file.',
    MODEL_TRUNCATED: '{{path}} is incomplete (truncated or still downloading): {{reason}}',
    MODEL_CORRUPT: '{{path}} is damaged: {{reason}}',
    MODEL_UNSUPPORTED_ARCH: 'This llama.cpp build cannot run models of architecture "{{arch}}".',
    MODEL_LOAD_FAILED: 'The backend could not load the model: {{reason}}',
    BACKEND_BINARY_MISSING:
      'llama-server was not found ({{path}}). Run "npm run setup:backend" or set its path in Settings.',
    BACKEND_PORT_IN_USE: 'The backend could not listen on its port: {{reason}}',
    BACKEND_OOM:
      'Out of memory while loading the model. Try a smaller context, fewer GPU layers or a smaller quantization.',
    BACKEND_CRASHED: 'The backend crashed ({{reason}}).',
    BACKEND_EXITED: 'The backend exited unexpectedly ({{reason}}).',
    BACKEND_LOAD_TIMEOUT: 'Loading the model made no progress for {{seconds}} s.',
    BACKEND_NOT_READY: 'No model is running. Start a model first.',
    BACKEND_BUSY: 'The backend is busy ({{state}}). Wait or stop it first.',
    BACKEND_QUEUE_FULL: 'The model has too many requests waiting ({{queued}}). Try again in {{retryAfterS}} s.',
    CHAT_FAILED: 'The reply failed: {{reason}}',
    UPSTREAM_ERROR: 'The backend answered with an error: {{reason}}',
    SERVER_PORT_IN_USE: 'Port {{port}} is already in use. Pick another with --port.',
    NO_GPU: 'No GPU {{gpu}} was found.',
    CONVERSATION_NOT_FOUND: 'That conversation no longer exists.',
    POWER_PERMISSION: 'Changing the power limit needs administrator rights. Run: {{command}}',
    POWER_RANGE: '{{watts}} W is not a valid power limit for this GPU: it must be between {{min}} W and {{max}} W.',
    POWER_UNSUPPORTED:
      'This GPU does not allow changing its power limit (common on laptops). You can lock its clocks instead.',
    POWER_FAILED: 'nvidia-smi could not change the setting: {{reason}}',
    HUB_BAD_REF:
      '"{{ref}}" is not a model repository id or URL (try owner/repo, hf.co/owner/repo or modelscope.cn/models/owner/repo).',
    HUB_UNREACHABLE: 'Could not reach {{endpoint}}: {{reason}}',
    HUB_NOT_FOUND: 'The repository {{repo}} was not found.',
    HUB_FILE_NOT_FOUND: '{{file}} was not found in {{repo}}.',
    HUB_AUTH_REQUIRED: '{{repo}} needs a login or an accepted license on the hub, which DeepLocal does not do.',
    HUB_NO_GGUF: '{{repo}} has no GGUF files.',
    HUB_QUANT_NOT_FOUND: '{{repo}} has no {{quant}} file. Available: {{available}}',
    HUB_QUANT_NEEDED: '{{repo}} has several models; add one of these as :QUANT: {{available}}',
    HUB_NO_CHECKSUM: 'The hub gives no SHA-256 for {{file}}, so it cannot be verified.',
    HUB_RATE_LIMITED:
      '{{endpoint}} kept refusing requests (too many requests). Try again later or pick another mirror.',
    HUB_UNSAFE_PATH:
      'The hub lists a file in {{repo}} with an unsafe name ("{{path}}"); it was skipped, so nothing is written outside the models folder.',
    DOWNLOAD_DISK_FULL: 'Not enough disk space in {{path}}: {{needed}} needed, {{free}} free.',
    DISK_FULL: 'The disk holding {{path}} is full. Free some space and try again.',
    DOWNLOAD_HASH_MISMATCH:
      '{{file}} did not verify (SHA-256 {{actual}}, expected {{expected}}); the download was discarded.',
    DOWNLOAD_SIZE_MISMATCH: '{{file}} has {{actual}} bytes on the server but {{expected}} were expected.',
    DOWNLOAD_FAILED: 'Downloading {{file}} failed: {{reason}}',
    DOWNLOAD_NOT_FOUND: 'No download with id {{id}}.',
    DOWNLOAD_ACTIVE: 'The download {{id}} is still running; pause or cancel it first.',
    MODEL_IN_USE: '{{path}} is loaded in the backend; stop it first.',
    MODEL_EXISTS: '{{path}} already exists in the models folder.',
    CATALOG_MODEL_NOT_FOUND: 'The catalog has no model "{{id}}".',
    CATALOG_INVALID: 'The catalog {{path}} is not valid: {{reason}}',
    DATA_DIR_LOCKED:
      'DeepLocal is already running with the folder {{dir}}, at {{url}} (process {{pid}}). Use that one, or stop it first.',
    DATA_DIR_IN_USE:
      'DeepLocal is already running with the folder {{dir}} (process {{pid}}). Use that one, or stop it first.',
    RUNTIME_NOT_FOUND: 'No runtime "{{id}}" is installed.',
    RUNTIME_ASSET_MISSING: 'Release {{tag}} has no {{variant}} build for {{platform}}-{{arch}}.',
    RUNTIME_DIGEST_MISMATCH: '{{asset}} does not match its published SHA-256 ({{expected}}); it was deleted.',
    RUNTIME_ARCHIVE_UNSAFE: '{{asset}} holds an entry with an unsafe path ("{{entry}}"); nothing was installed.',
    RUNTIME_ARCHIVE_BAD: '{{asset}} is damaged or incomplete ({{reason}}); nothing was installed.',
    RUNTIME_CHECK_FAILED: 'The {{variant}} runtime does not work on this computer: {{reason}}',
    RUNTIME_IN_USE: 'The {{id}} runtime is in use. Stop the model or switch runtimes first.',
    RUNTIME_BUSY: 'The {{variant}} runtime is already being fetched.',
    RUNTIME_BUILD_FAILED: 'Building llama.cpp ({{variant}}) failed: {{reason}}',
    RELEASE_UNREACHABLE:
      'Cannot reach the llama.cpp release feed at {{endpoint}} ({{reason}}). Set a mirror in Settings → Runtimes.',
    RUNTIME_UNVERIFIABLE: '{{asset}} cannot be verified ({{reason}}), so it was not downloaded.',
    UPDATE_NOT_READY: 'No update has been downloaded yet.',
    UPDATE_FAILED: 'The app update failed: {{reason}}',
  },
  'zh-CN': {
    INVALID_PARAMS: '请求无效：{{issues}}',
    BAD_JSON: '请求正文不是有效的 JSON。',
    BAD_REQUEST: '请求格式错误：{{reason}}',
    METHOD_NOT_ALLOWED: '{{path}} 不接受 {{method}} 请求（请使用 {{allowed}}）。',
    UNKNOWN_METHOD: '未知方法“{{method}}”。',
    NOT_FOUND: '未找到：{{path}}',
    UNAUTHORIZED: '访问令牌缺失或错误。',
    FORBIDDEN_HOST: '不接受主机“{{host}}”的请求。',
    FORBIDDEN_ORIGIN: '不接受来源“{{origin}}”的请求。',
    PAYLOAD_TOO_LARGE: '请求正文过大。',
    UNSUPPORTED: '此处不可用：{{what}}',
    INTERNAL: 'DeepLocal 内部出错：{{reason}}',
    MODEL_NOT_FOUND: '{{path}} 不存在。',
    MODEL_NOT_FILE: '{{path}} 不是模型文件（而是文件夹、管道或设备）。',
    MODEL_NOT_GGUF: '{{path}} 不是 GGUF 模型文件。',
    MODEL_TRUNCATED: '{{path}} 不完整（被截断或仍在下载）：{{reason}}',
    MODEL_CORRUPT: '{{path}} 已损坏：{{reason}}',
    MODEL_UNSUPPORTED_ARCH: '当前 llama.cpp 版本无法运行“{{arch}}”架构的模型。',
    MODEL_LOAD_FAILED: '后端无法加载模型：{{reason}}',
    BACKEND_BINARY_MISSING: '未找到 llama-server（{{path}}）。请运行“npm run setup:backend”或在设置中指定路径。',
    BACKEND_PORT_IN_USE: '后端无法监听端口：{{reason}}',
    BACKEND_OOM: '加载模型时内存不足。请减小上下文、减少 GPU 层数或选择更小的量化。',
    BACKEND_CRASHED: '后端崩溃（{{reason}}）。',
    BACKEND_EXITED: '后端意外退出（{{reason}}）。',
    BACKEND_LOAD_TIMEOUT: '模型加载已 {{seconds}} 秒没有进展。',
    BACKEND_NOT_READY: '没有正在运行的模型，请先启动模型。',
    BACKEND_BUSY: '后端正忙（{{state}}），请等待或先停止。',
    BACKEND_QUEUE_FULL: '模型等待中的请求过多（{{queued}} 个），请 {{retryAfterS}} 秒后重试。',
    CHAT_FAILED: '回复失败：{{reason}}',
    UPSTREAM_ERROR: '后端返回错误：{{reason}}',
    SERVER_PORT_IN_USE: '端口 {{port}} 已被占用，请用 --port 指定其他端口。',
    NO_GPU: '未找到 GPU {{gpu}}。',
    CONVERSATION_NOT_FOUND: '该对话已不存在。',
    POWER_PERMISSION: '修改功耗上限需要管理员权限。请运行：{{command}}',
    POWER_RANGE: '{{watts}} W 不是该 GPU 的有效功耗上限，必须在 {{min}} W 到 {{max}} W 之间。',
    POWER_UNSUPPORTED: '此 GPU 不支持修改功耗上限（笔记本电脑常见），可以改为锁定频率。',
    POWER_FAILED: 'nvidia-smi 无法修改该设置：{{reason}}',
    HUB_BAD_REF:
      '“{{ref}}”不是模型仓库 ID 或链接（例如 owner/repo、hf.co/owner/repo 或 modelscope.cn/models/owner/repo）。',
    HUB_UNREACHABLE: '无法连接 {{endpoint}}：{{reason}}',
    HUB_NOT_FOUND: '未找到仓库 {{repo}}。',
    HUB_FILE_NOT_FOUND: '仓库 {{repo}} 中没有 {{file}}。',
    HUB_AUTH_REQUIRED: '{{repo}} 需要在模型站登录或同意许可协议，DeepLocal 不支持此操作。',
    HUB_NO_GGUF: '{{repo}} 中没有 GGUF 文件。',
    HUB_QUANT_NOT_FOUND: '{{repo}} 中没有 {{quant}} 文件。可选：{{available}}',
    HUB_QUANT_NEEDED: '{{repo}} 包含多个模型，请以 :QUANT 的形式指定其一：{{available}}',
    HUB_NO_CHECKSUM: '模型站未提供 {{file}} 的 SHA-256，无法校验。',
    HUB_RATE_LIMITED: '{{endpoint}} 持续拒绝请求（请求过多）。请稍后重试或换一个镜像。',
    HUB_UNSAFE_PATH:
      '模型站在 {{repo}} 中列出的文件名称不安全（“{{path}}”），已跳过，不会在模型文件夹之外写入任何内容。',
    DOWNLOAD_DISK_FULL: '{{path}} 磁盘空间不足：需要 {{needed}}，可用 {{free}}。',
    DISK_FULL: '{{path}} 所在的磁盘已满，请释放一些空间后重试。',
    DOWNLOAD_HASH_MISMATCH: '{{file}} 校验失败（SHA-256 为 {{actual}}，应为 {{expected}}），已丢弃下载内容。',
    DOWNLOAD_SIZE_MISMATCH: '服务器上的 {{file}} 有 {{actual}} 字节，但应为 {{expected}} 字节。',
    DOWNLOAD_FAILED: '下载 {{file}} 失败：{{reason}}',
    DOWNLOAD_NOT_FOUND: '没有 ID 为 {{id}} 的下载。',
    DOWNLOAD_ACTIVE: '下载 {{id}} 仍在进行，请先暂停或取消。',
    MODEL_IN_USE: '{{path}} 正被后端加载，请先停止。',
    MODEL_EXISTS: '模型文件夹中已有 {{path}}。',
    CATALOG_MODEL_NOT_FOUND: '模型目录中没有“{{id}}”。',
    CATALOG_INVALID: '模型目录 {{path}} 无效：{{reason}}',
    DATA_DIR_LOCKED:
      'DeepLocal 已在使用文件夹 {{dir}} 运行，地址为 {{url}}（进程 {{pid}}）。请使用那个实例，或先将其停止。',
    DATA_DIR_IN_USE: 'DeepLocal 已在使用文件夹 {{dir}} 运行（进程 {{pid}}）。请使用那个实例，或先将其停止。',
    RUNTIME_NOT_FOUND: '没有安装名为“{{id}}”的运行时。',
    RUNTIME_ASSET_MISSING: '版本 {{tag}} 没有适用于 {{platform}}-{{arch}} 的 {{variant}} 构建。',
    RUNTIME_DIGEST_MISMATCH: '{{asset}} 与公布的 SHA-256（{{expected}}）不符，已删除。',
    RUNTIME_ARCHIVE_UNSAFE: '{{asset}} 中有路径不安全的条目（“{{entry}}”），未安装任何内容。',
    RUNTIME_ARCHIVE_BAD: '{{asset}} 已损坏或不完整（{{reason}}），未安装任何内容。',
    RUNTIME_CHECK_FAILED: '{{variant}} 运行时无法在这台电脑上工作：{{reason}}',
    RUNTIME_IN_USE: '{{id}} 运行时正在使用中。请先停止模型或切换运行时。',
    RUNTIME_BUSY: '{{variant}} 运行时已在获取中。',
    RUNTIME_BUILD_FAILED: '构建 llama.cpp（{{variant}}）失败：{{reason}}',
    RELEASE_UNREACHABLE: '无法连接 llama.cpp 发布源 {{endpoint}}（{{reason}}）。请在“设置 → 运行时”中设置镜像。',
    RUNTIME_UNVERIFIABLE: '无法校验 {{asset}}（{{reason}}），因此没有下载。',
    UPDATE_NOT_READY: '尚未下载任何更新。',
    UPDATE_FAILED: '应用更新失败：{{reason}}',
  },
};

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
