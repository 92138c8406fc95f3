/**
 * What a runtime's `llama-server --list-devices` run means: usable (with the devices it listed) or the problem, in
 * words the user can act on ("cudart64_12.dll missing", "sees no GPU"). Pure: device-check.ts runs the tool and
 * reads the folder; this file only judges.
 *
 * Facts this relies on (llama.cpp de3ff81):
 * - `common_print_available_devices` prints "Available devices:" then one line per non-CPU device, or "  (none)", to
 *   stdout; ggml's logs go to stderr.
 * - Release builds load their GPU backend at run time (GGML_BACKEND_DL) and, being NDEBUG builds, load it silently:
 *   a CUDA build whose cudart is missing lists `(none)` and exits 0. So for a GPU variant that lists no device of
 *   its kind, the runtime libraries we expect beside llama-server are checked to name the cause.
 * - Debug builds log "load_backend: failed to load PATH: DLERROR" (ggml-backend-reg.cpp); dl_error is empty on
 *   Windows.
 * - Windows reports a missing DLL of the executable itself as exit code 0xC0000135 (STATUS_DLL_NOT_FOUND); Node gives
 *   it unsigned (3221225781) or signed (-1073741515).
 */
import type { BackendDevice } from '../../shared/telemetry';
import { runtimeProblem, runtimeVariantLabels, type RuntimeProblem, type RuntimeVariant } from '../../shared/runtimes';
import { parseListDevices } from '../gpu-tools/list-devices';
import type { ToolResult } from '../util/run-tool';

export interface DeviceCheckInput {
  variant: RuntimeVariant;
  platform: string;
  result: ToolResult;
  /** File names in llama-server's folder. */
  files: readonly string[];
}

export interface DeviceCheckVerdict {
  ok: boolean;
  /** Every device the runtime listed (llama-server never lists the CPU). */
  devices: BackendDevice[];
  problem: RuntimeProblem | null;
}

/** The device names a variant's own backend gives its devices. */
const DEVICE_NAME: Record<RuntimeVariant, RegExp | null> = {
  cpu: null,
  'cuda-12': /^CUDA\d+$/,
  'cuda-13': /^CUDA\d+$/,
  vulkan: /^Vulkan\d+$/,
  rocm: /^(ROCm|HIP)\d+$/,
  metal: /^(MTL\d+|Metal)$/,
};

interface Lib {
  /** What the problem says is missing. */
  name: string;
  re: RegExp;
}
const lib = (name: string, re?: RegExp): Lib => ({
  name,
  re: re ?? new RegExp(`^${name.replace(/[.+]/g, '\\$&')}$`, 'i'),
});
const so = (base: string): Lib => lib(base, new RegExp(`^${base.replace(/[.+]/g, '\\$&')}(\\.\\d+)*$`));

/** What llama-server itself links against in the official archives (release.yml: the Windows CPU zip, $ORIGIN). */
const BASE_LIBS: Record<string, Lib[]> = {
  win32: [lib('ggml-base.dll'), lib('ggml.dll'), lib('llama.dll')],
  linux: [so('libggml-base.so'), so('libggml.so'), so('libllama.so')],
};

/** The backend module and the runtime libraries each GPU variant's archives ship beside llama-server. */
const VARIANT_LIBS: Record<string, Partial<Record<RuntimeVariant, Lib[]>>> = {
  win32: {
    'cuda-12': [lib('ggml-cuda.dll'), lib('cudart64_12.dll'), lib('cublas64_12.dll'), lib('cublasLt64_12.dll')],
    'cuda-13': [lib('ggml-cuda.dll'), lib('cudart64_13.dll'), lib('cublas64_13.dll'), lib('cublasLt64_13.dll')],
    vulkan: [lib('ggml-vulkan.dll')],
    rocm: [lib('ggml-hip.dll'), lib('amdhip64_7.dll', /^amdhip64_\d+\.dll$/i)],
  },
  linux: {
    'cuda-12': [so('libggml-cuda.so'), so('libcudart.so.12'), so('libcublas.so.12'), so('libcublasLt.so.12')],
    'cuda-13': [so('libggml-cuda.so'), so('libcudart.so.13'), so('libcublas.so.13'), so('libcublasLt.so.13')],
    vulkan: [so('libggml-vulkan.so')],
    rocm: [so('libggml-hip.so')],
  },
};

/**
 * A build whose backends are separate libraries (the official archives). Source builds are static
 * (BUILD_SHARED_LIBS=OFF) and ship none of these files, so their absence says nothing there.
 */
function isSharedBuild(files: readonly string[]): boolean {
  return files.some((f) => /^(lib)?(ggml|ggml-base|ggml-cpu[^/\\]*|llama)\.(dll|dylib|so)(\.\d+)*$/i.test(f));
}

function missingLib(libs: readonly Lib[], files: readonly string[]): string | null {
  return libs.find((l) => !files.some((f) => l.re.test(f)))?.name ?? null;
}

const baseName = (p: string) => p.split(/[/\\]/).pop() ?? p;

/** A library the dynamic loader could not find, as Linux ld.so, dlopen or macOS dyld word it. */
export function loaderMissingLibrary(text: string): string | null {
  const m =
    /error while loading shared libraries: ([^\s:]+)/.exec(text) ??
    /([^\s:/\\]+): cannot open shared object file/.exec(text) ??
    /Library not loaded: (\S+)/.exec(text);
  return m ? baseName(m[1]!) : null;
}

/** ggml's "load_backend: failed to load PATH: ERROR" (debug builds): the backend module that did not load. */
function backendLoadFailure(text: string): string | null {
  const m = /failed to load (.+?\.(?:dll|so|dylib)):/.exec(text);
  return m ? baseName(m[1]!) : null;
}

const STATUS_DLL_NOT_FOUND = 0xc0000135;

function exitText(r: ToolResult, platform: string): string {
  if (r.signal) return r.signal;
  if (r.code === null) return 'unknown';
  // NTSTATUS codes read better in hex (0xC0000005 is an access violation), as Windows tools print them.
  if (platform === 'win32' && (r.code < 0 || r.code >= 0xc0000000))
    return `0x${(r.code >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
  return String(r.code);
}

/** The last few lines the tool printed, for a problem's `output`. */
function lastLines(r: ToolResult, n = 5, max = 600): string {
  const lines = `${r.stdout}\n${r.stderr}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const out = lines.slice(-n).join(' | ');
  return out.length > max ? `…${out.slice(-max)}` : out;
}

/**
 * Log lines ("ggml_cuda_init: …", "0.00.002.995 I srv  llama_server: …") can land between the list's lines when both
 * streams end up in one (a ROCm build logs its UMA memory right after "Available devices:"); they are not the list.
 */
const LOG_LINE = /^([a-z_][a-z0-9_]*: |\d+\.\d+\.\d+\.\d+ [A-Z] )/;
const withoutLogs = (text: string) =>
  text
    .split(/\r?\n/)
    .filter((l) => !LOG_LINE.test(l))
    .join('\n');

function listedDevices(r: ToolResult): BackendDevice[] | null {
  return parseListDevices(withoutLogs(r.stdout)) ?? parseListDevices(withoutLogs(`${r.stdout}\n${r.stderr}`));
}

const fail = (problem: RuntimeProblem, devices: BackendDevice[] = []): DeviceCheckVerdict => ({
  ok: false,
  devices,
  problem,
});

export function classifyDeviceCheck(input: DeviceCheckInput): DeviceCheckVerdict {
  const { variant, platform, result: r, files } = input;
  if (r.missing || (r.error !== null && r.code === null && !r.timedOut))
    return fail(runtimeProblem('NOT_EXECUTABLE', { error: r.error ?? 'cannot be started' }));
  if (r.timedOut) return fail(runtimeProblem('TIMEOUT', { ms: Math.round(r.durationMs) }));

  const text = `${r.stdout}\n${r.stderr}`;
  const base = BASE_LIBS[platform] ?? [];
  const own = VARIANT_LIBS[platform]?.[variant] ?? [];
  const shared = isSharedBuild(files);
  const devices = listedDevices(r);

  if (devices === null) {
    const loader = loaderMissingLibrary(text);
    if (loader) return fail(runtimeProblem('MISSING_LIBRARY', { library: loader }));
    if (platform === 'win32' && r.code !== null && r.code >>> 0 === STATUS_DLL_NOT_FOUND) {
      const missing = shared ? (missingLib(base, files) ?? missingLib(own, files)) : null;
      return fail(runtimeProblem('MISSING_LIBRARY', { library: missing ?? 'DLL' }));
    }
    // An older llama-server without the option says so and exits 1: no list, but not a crash.
    const abnormal = r.signal !== null || (r.code !== null && r.code !== 0);
    if (abnormal && !/(invalid|unknown) argument/i.test(text))
      return fail(runtimeProblem('CRASHED', { exit: exitText(r, platform), output: lastLines(r) }));
    return fail(runtimeProblem('NO_DEVICE_LIST', { output: lastLines(r) }));
  }

  // A printed list is the answer we asked for, even if the process then died on the way out (some drivers crash in
  // their teardown); a runtime that crashes under load is caught when the model loads.
  const kind = DEVICE_NAME[variant];
  if (kind === null || devices.some((d) => kind.test(d.name))) return { ok: true, devices, problem: null };

  const cause =
    loaderMissingLibrary(text) ??
    (shared ? missingLib(own, files) : null) ??
    (backendLoadFailure(text) ? (missingLib(own, files) ?? backendLoadFailure(text)) : null);
  if (cause) return fail(runtimeProblem('MISSING_LIBRARY', { library: cause }), devices);
  return fail(
    runtimeProblem('NO_GPU_LISTED', {
      variant: runtimeVariantLabels[variant],
      listed: devices.map((d) => d.name).join(', '),
    }),
    devices,
  );
}
