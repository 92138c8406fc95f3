/**
 * llama-server's stderr tail + exit → typed reason. The tails marked "captured" were recorded from the pinned
 * build (resources/bin, de3ff81) with the bad input named; the others are assembled from the exact format strings
 * in its source (ggml-cuda.cu, ggml.c, llama-kv-cache.cpp), since no GPU exists here to make them happen.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../shared/errors';
import { classifiedToError, classifyExit, isBindFailure, notableLine, parseListening } from './stderr-classifier';

// ---- captured from the pinned llama-server ----------------------------------------------------------------------

/** `-m bad.gguf` where the file holds "hello world…". */
const BAD_MAGIC = [
  '0.00.000.338 I srv  llama_server: initializing ...',
  "0.00.004.993 I srv    load_model: loading model 'bad.gguf'",
  "0.00.005.111 E gguf_init_from_reader: invalid magic characters: 'hell', expected 'GGUF'",
  '0.00.005.226 E llama_model_load: error loading model: llama_model_loader: failed to load model from bad.gguf',
  '0.00.005.239 E llama_model_load_from_file_impl: failed to load model',
  '0.00.005.262 E common_fit_params: encountered an error while trying to fit params to free device memory: failed to load model',
  "0.00.005.270 E gguf_init_from_reader: invalid magic characters: 'hell', expected 'GGUF'",
  '0.00.005.279 E llama_model_load: error loading model: llama_model_loader: failed to load model from bad.gguf',
  '0.00.005.279 E llama_model_load_from_file_impl: failed to load model',
  "0.00.005.280 E cmn  common_init_: failed to load model 'bad.gguf'",
  "0.00.005.281 E srv    load_model: failed to load model, 'bad.gguf'",
  '0.00.005.281 I srv    operator(): operator(): cleaning up before exit...',
  '0.00.005.640 E srv  llama_server: exiting due to model loading error',
];

/** `-m /tmp/cap/nope.gguf` that does not exist (the file vanished between our inspect and the spawn). */
const MISSING_FILE = [
  "0.00.005.145 I srv    load_model: loading model '/tmp/cap/nope.gguf'",
  "0.00.005.293 E gguf_init_from_file: failed to open GGUF file '/tmp/cap/nope.gguf' (No such file or directory)",
  '0.00.005.410 E llama_model_load: error loading model: llama_model_loader: failed to load model from /tmp/cap/nope.gguf',
  '0.00.005.434 E llama_model_load_from_file_impl: failed to load model',
  '0.00.005.577 E common_fit_params: encountered an error while trying to fit params to free device memory: failed to load model',
  "0.00.005.597 E cmn  common_init_: failed to load model '/tmp/cap/nope.gguf'",
  "0.00.005.598 E srv    load_model: failed to load model, '/tmp/cap/nope.gguf'",
  '0.00.005.608 I srv    operator(): operator(): cleaning up before exit...',
  '0.00.006.350 E srv  llama_server: exiting due to model loading error',
];

/** The synthetic test model cut in half (a download that stopped early). */
const TRUNCATED = [
  "0.00.087.876 I srv    load_model: loading model 'trunc.gguf'",
  "0.00.331.681 E llama_model_load: error loading model: tensor 'output.weight' data is not within the file bounds, model is corrupted or incomplete",
  '0.00.333.201 E llama_model_load_from_file_impl: failed to load model',
  '0.00.333.253 E common_fit_params: encountered an error while trying to fit params to free device memory: failed to load model',
  "0.00.364.793 E llama_model_load: error loading model: tensor 'output.weight' data is not within the file bounds, model is corrupted or incomplete",
  '0.00.364.842 E llama_model_load_from_file_impl: failed to load model',
  "0.00.364.858 E cmn  common_init_: failed to load model 'trunc.gguf'",
  "0.00.364.873 E srv    load_model: failed to load model, 'trunc.gguf'",
  '0.00.364.889 I srv    operator(): operator(): cleaning up before exit...',
  '0.00.375.982 E srv  llama_server: exiting due to model loading error',
];

/** A GGUF whose general.architecture is "foo". */
const UNKNOWN_ARCH = [
  "0.00.004.264 E llama_model_load: error loading model: unknown model architecture: 'foo'",
  '0.00.004.280 E llama_model_load_from_file_impl: failed to load model',
  '0.00.004.307 E common_fit_params: encountered an error while trying to fit params to free device memory: failed to load model',
  "0.00.004.337 E llama_model_load: error loading model: unknown model architecture: 'foo'",
  '0.00.004.345 E llama_model_load_from_file_impl: failed to load model',
  "0.00.004.346 E cmn  common_init_: failed to load model 'foo.gguf'",
  "0.00.004.348 E srv    load_model: failed to load model, 'foo.gguf'",
  '0.00.004.661 E srv  llama_server: exiting due to model loading error',
];

/** A GGUF written with version 1. */
const GGUF_V1 = [
  '0.00.005.617 E gguf_init_from_reader: GGUFv1 is no longer supported, please use a more up-to-date version',
  '0.00.005.629 E gguf_init_from_reader: failed to read header',
  '0.00.005.646 E llama_model_load: error loading model: llama_model_loader: failed to load model from v1.gguf',
  '0.00.005.658 E llama_model_load_from_file_impl: failed to load model',
  "0.00.005.671 E cmn  common_init_: failed to load model 'v1.gguf'",
  "0.00.005.684 E srv    load_model: failed to load model, 'v1.gguf'",
  '0.00.006.551 E srv  llama_server: exiting due to model loading error',
];

/** --port of a socket another process holds. */
const PORT_TAKEN = [
  '0.00.000.390 I srv  llama_server: initializing ...',
  '0.00.002.312 W srv  llama_server: security: no API key is set and CORS allows all origins (see https://github.com/ggml-org/llama.cpp/pull/25655)',
  "0.00.002.381 E srv         start: couldn't bind HTTP server socket, hostname: 127.0.0.1, port: 18555",
  '0.00.002.381 I srv    operator(): operator(): cleaning up before exit...',
  '0.00.002.471 E srv  llama_server: exiting due to HTTP server error',
];

/** A healthy start of the tiny test model: nothing in it may be mistaken for a failure later. */
const HEALTHY_START = [
  '0.00.000.377 I srv  llama_server: initializing ...',
  '0.00.003.237 I cmn  common_param: common_params_print_info: verbosity = 3 (adjust with the `-lv N` CLI arg)',
  '0.00.003.346 I srv  init_listene: The UI is disabled',
  "0.00.004.132 I srv    load_model: loading model '/root/.cache/deeplocal/test-models/tiny-s1.gguf'",
  "0.00.674.943 W load: control-looking token: 151664 '<|file_sep|>' was not control-type; this is probably a bug in the model. its type will be overridden",
  '0.00.821.078 I cmn          init: llama threadpool init, n_threads = 2',
  "0.00.990.556 I srv    load_model: initializing, n_slots = 1, n_ctx_slot = 2048, kv_unified = 'false'",
  '0.00.996.661 I srv  llama_server: model loaded',
  '0.00.996.705 I srv  llama_server: listening on http://127.0.0.1:18556',
];

// ---- assembled from the source's format strings -----------------------------------------------------------------

const CUDA_OOM = [
  '0.01.101.000 E ggml_backend_cuda_buffer_type_alloc_buffer: allocating 18432.00 MiB on device 0: cudaMalloc failed: out of memory',
  '0.01.101.010 E alloc_tensor_range: failed to allocate CUDA0 buffer of size 19327352832',
  '0.01.101.020 E llama_model_load: error loading model: unable to allocate CUDA0 buffer',
  '0.01.101.030 E llama_model_load_from_file_impl: failed to load model',
];

const KV_OOM = [
  '0.02.000.000 E llama_init_from_model: failed to initialize the context: failed to allocate buffer for kv cache',
  "0.02.000.010 E cmn  common_init_: failed to create context with model 'm.gguf'",
  "0.02.000.020 E srv    load_model: failed to load model, 'm.gguf'",
];

/**
 * Captured: the Vulkan build, GGML_VK_VISIBLE_DEVICES=0 (one 2048 MiB lavapipe device), the 4-layer `small` model
 * with `-c 1048576 -np 4 -kvu -ngl all --fit off`: the 2048 MiB KV buffer is allocated but the graph cannot use it,
 * ggml aborts (SIGABRT) and gdb prints its backtrace.
 */
const VK_KV_TOO_BIG = [
  "0.00.260.640 I srv    load_model: loading model '/root/.cache/deeplocal/test-models/small-s1.gguf'",
  '0.01.119.263 W llama_context: n_ctx_seq (1048576) > n_ctx_train (4096) -- possible training context overflow',
  '/root/.cache/deeplocal/src/llama.cpp-de3ff81+bookworm-vulkan-22d68412/ggml/src/ggml-backend.cpp:941: pre-allocated tensor (cache_k_l0) in a buffer (Vulkan0) that cannot run the operation (NONE)',
  '[New LWP 31320]',
  '[Thread debugging using libthread_db enabled]',
  '#1  0x0000556491323eab in ggml_print_backtrace ()',
  '#2  0x0000556491323ff8 in ggml_abort ()',
  '#3  0x000055649133e836 in ggml_backend_sched_backend_id_from_cur(ggml_backend_sched*, ggml_tensor*) ()',
  '#7  0x0000556490f500f0 in llama_context::sched_reserve() ()',
];

/** ggml_cuda_error → GGML_ABORT: three log lines, the abort message, then glibc's backtrace_symbols_fd frames. */
const CUDA_ABORT = [
  '0.12.345.678 E CUDA error: an illegal memory access was encountered',
  '0.12.345.690 E   current device: 0, in function ggml_backend_cuda_synchronize at /src/ggml/src/ggml-cuda/ggml-cuda.cu:2711',
  '0.12.345.691 E   cudaStreamSynchronize(cuda_ctx->stream())',
  '/src/ggml/src/ggml-cuda/ggml-cuda.cu:96: CUDA error',
];
const BACKTRACE = [
  '/app/libggml-base.so(+0x1a2b6)[0x7f0c1c81a2b6]',
  '/app/libggml-base.so(ggml_print_backtrace+0x21c)[0x7f0c1c81a6fc]',
  '/app/libggml-base.so(ggml_abort+0x15b)[0x7f0c1c81a8db]',
  '/app/libggml-cuda.so(_Z15ggml_cuda_errorPKcS0_S0_iS0_+0xb7)[0x7f0c1a0d3e17]',
  '/app/libggml-cuda.so(+0x12f4a1)[0x7f0c1a0df4a1]',
  '/app/libllama.so(_ZN13llama_context6decodeERK11llama_batch+0x5e0)[0x7f0c1cb3e1f0]',
  './llama-server(+0x1c5d2e)[0x55d5e3a2bd2e]',
  '/lib/x86_64-linux-gnu/libc.so.6(__libc_start_main+0x80)[0x7f0c1b629e40]',
];
const ASSERT_ABORT = ['/src/ggml/src/ggml.c:1461: GGML_ASSERT(wtype != GGML_TYPE_COUNT) failed'];

type Exit = { code: number | null; signal: string | null };
const exit1: Exit = { code: 1, signal: null };
const sig = (s: string): Exit => ({ code: null, signal: s });

interface Row {
  name: string;
  lines: string[];
  exit: Exit;
  phase: 'loading' | 'running';
  code: ErrorCode;
  /** Must appear in the reason the user sees. */
  reason?: RegExp;
}

const rows: Row[] = [
  // The magic check must win over the generic "failed to load model" that follows it in every tail.
  { name: 'captured: wrong magic', lines: BAD_MAGIC, exit: exit1, phase: 'loading', code: 'MODEL_NOT_GGUF' },
  {
    name: 'the bare loader line alone is a generic load failure',
    lines: ['E llama_model_load: error loading model: llama_model_loader: failed to load model from x.gguf'],
    exit: exit1,
    phase: 'loading',
    code: 'MODEL_LOAD_FAILED',
    reason: /failed to load model from x\.gguf/,
  },
  // "Still downloading" is the likely cause; the user must be told the file is incomplete, not that it is bad.
  { name: 'captured: truncated file', lines: TRUNCATED, exit: exit1, phase: 'loading', code: 'MODEL_TRUNCATED' },
  {
    name: 'the bounds line alone',
    lines: ["tensor 'output.weight' data is not within the file bounds, model is corrupted or incomplete"],
    exit: exit1,
    phase: 'loading',
    code: 'MODEL_TRUNCATED',
  },
  // The reason of this code is the architecture name itself: the UI puts it in "cannot run models of architecture X".
  {
    name: 'captured: unknown architecture',
    lines: UNKNOWN_ARCH,
    exit: exit1,
    phase: 'loading',
    code: 'MODEL_UNSUPPORTED_ARCH',
    reason: /^foo$/,
  },
  // inspect rejects v1 before spawning; if it ever gets here, a generic load failure is the honest answer.
  { name: 'captured: GGUF v1', lines: GGUF_V1, exit: exit1, phase: 'loading', code: 'MODEL_LOAD_FAILED' },
  // OOM outranks the loader's generic lines that always follow it.
  {
    name: 'cudaMalloc out of memory while loading weights',
    lines: CUDA_OOM,
    exit: exit1,
    phase: 'loading',
    code: 'BACKEND_OOM',
  },
  { name: 'KV cache allocation failure', lines: KV_OOM, exit: exit1, phase: 'loading', code: 'BACKEND_OOM' },
  {
    name: 'captured: a KV cache too big for the Vulkan device (ggml aborts)',
    lines: VK_KV_TOO_BIG,
    exit: sig('SIGABRT'),
    phase: 'loading',
    code: 'BACKEND_OOM',
    reason: /pre-allocated tensor \(cache_k_l0\)/,
  },
  {
    name: 'the bare cudaMalloc line',
    lines: ['cudaMalloc failed: out of memory'],
    exit: exit1,
    phase: 'loading',
    code: 'BACKEND_OOM',
  },
  {
    name: 'the bare kv cache line',
    lines: ['failed to allocate buffer for kv cache'],
    exit: exit1,
    phase: 'loading',
    code: 'BACKEND_OOM',
  },
  // Jan's old bug: "port in use" treated as ready. It must be its own code so the supervisor can retry another port.
  { name: 'captured: port taken', lines: PORT_TAKEN, exit: exit1, phase: 'loading', code: 'BACKEND_PORT_IN_USE' },
  {
    name: 'the bare bind line',
    lines: ["couldn't bind HTTP server socket, hostname: 127.0.0.1, port: 8080"],
    exit: exit1,
    phase: 'loading',
    code: 'BACKEND_PORT_IN_USE',
  },
  // A CUDA fault at run time aborts; it is a crash, and the signal must be named for the bug report.
  {
    name: 'SIGABRT after a CUDA error',
    lines: [...HEALTHY_START, ...CUDA_ABORT],
    exit: sig('SIGABRT'),
    phase: 'running',
    code: 'BACKEND_CRASHED',
    reason: /SIGABRT/,
  },
  {
    name: 'SIGABRT after a GGML_ASSERT quotes the assert',
    lines: [...HEALTHY_START, ...ASSERT_ABORT],
    exit: sig('SIGABRT'),
    phase: 'running',
    code: 'BACKEND_CRASHED',
    reason: /SIGABRT: .*GGML_ASSERT\(wtype != GGML_TYPE_COUNT\) failed/,
  },
  // kill -9 (OOM killer, task manager) leaves no line at all; the signal is the whole story.
  {
    name: 'SIGKILL with no output',
    lines: [],
    exit: sig('SIGKILL'),
    phase: 'running',
    code: 'BACKEND_CRASHED',
    reason: /^signal SIGKILL$/,
  },
  {
    name: 'SIGKILL while loading is still a crash',
    lines: HEALTHY_START.slice(0, 4),
    exit: sig('SIGKILL'),
    phase: 'loading',
    code: 'BACKEND_CRASHED',
  },
  // Nothing in a healthy start may be read as a failure reason (e.g. the "probably a bug in the model" warning).
  {
    name: 'exit 1 while running after a healthy start',
    lines: HEALTHY_START,
    exit: exit1,
    phase: 'running',
    code: 'BACKEND_EXITED',
    reason: /^exit code 1$/,
  },
  {
    name: 'exit 0 while running',
    lines: [],
    exit: { code: 0, signal: null },
    phase: 'running',
    code: 'BACKEND_EXITED',
    reason: /exit code 0/,
  },
  // SIGTERM/SIGINT were asked for (by us or the OS shutting down): an exit, not a crash.
  {
    name: 'SIGTERM while running',
    lines: HEALTHY_START,
    exit: sig('SIGTERM'),
    phase: 'running',
    code: 'BACKEND_EXITED',
    reason: /SIGTERM/,
  },
  { name: 'SIGINT while running', lines: [], exit: sig('SIGINT'), phase: 'running', code: 'BACKEND_EXITED' },
  // Dying during load without a recognisable line still means the model did not load.
  {
    name: 'exit 1 while loading with nothing recognisable',
    lines: HEALTHY_START.slice(0, 4),
    exit: exit1,
    phase: 'loading',
    code: 'MODEL_LOAD_FAILED',
    reason: /^exit code 1$/,
  },
  {
    name: 'exit 1 while running quotes the last error line',
    lines: [...HEALTHY_START, '0.05.000.000 E srv  operator(): exception: std::runtime_error'],
    exit: exit1,
    phase: 'running',
    code: 'BACKEND_EXITED',
    reason: /^exit code 1: .*exception: std::runtime_error$/,
  },
];

describe('classifyExit', () => {
  it.each(rows)('$name → $code', ({ lines, exit, phase, code, reason }) => {
    const c = classifyExit(lines, exit, phase);
    expect(c.code).toBe(code);
    expect(c.reason.length).toBeGreaterThan(0);
    if (reason) expect(c.reason).toMatch(reason);
  });

  // ---- regressions: each case below was a defect found by these tables (fixed) ----

  // A model deleted between inspect and spawn is "not found", not "not a GGUF file". The NOT_GGUF rule's
  // `gguf_init_from_file.*failed` branch only ever matches this open failure in the pinned build.
  it('captured: missing file → MODEL_NOT_FOUND, not MODEL_NOT_GGUF', () => {
    expect(classifyExit(MISSING_FILE, exit1, 'loading').code).toBe('MODEL_NOT_FOUND');
  });

  // The reason is shown to the user ("… is incomplete: {{reason}}"). Today it is the *last* notable line, which in
  // llama.cpp's output is always the least specific ("exiting due to model loading error").
  it('captured: truncated file quotes the bounds line, not "exiting due to model loading error"', () => {
    expect(classifyExit(TRUNCATED, exit1, 'loading').reason).toMatch(/not within the file bounds/);
  });
  it('captured: port taken quotes the bind line, not "exiting due to HTTP server error"', () => {
    expect(classifyExit(PORT_TAKEN, exit1, 'loading').reason).toMatch(/couldn't bind HTTP server socket/);
  });
  // glibc's backtrace frames contain "abort" and "error" (ggml_abort, ggml_cuda_error) and come last.
  it('SIGABRT with a backtrace quotes the CUDA error, not a backtrace frame', () => {
    const c = classifyExit([...HEALTHY_START, ...CUDA_ABORT, ...BACKTRACE], sig('SIGABRT'), 'running');
    expect(c.code).toBe('BACKEND_CRASHED');
    expect(c.reason).toMatch(/an illegal memory access was encountered/);
  });
});

describe('classifiedToError', () => {
  it('puts the architecture in {{arch}} for the UI and keeps the tail as details', () => {
    const e = classifiedToError(classifyExit(UNKNOWN_ARCH, exit1, 'loading'), '/m/foo.gguf', UNKNOWN_ARCH);
    expect(e.code).toBe('MODEL_UNSUPPORTED_ARCH');
    expect(e.params).toEqual({ arch: 'foo' });
    expect(e.message).toContain('"foo"');
    expect(e.details).toBe(UNKNOWN_ARCH.join('\n'));
  });

  it('gives other codes {{reason}} and {{path}}, and keeps only the last 60 lines of a long tail', () => {
    const tail = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const e = classifiedToError({ code: 'MODEL_LOAD_FAILED', reason: 'exit code 1' }, '/m/x.gguf', tail);
    expect(e.params).toEqual({ reason: 'exit code 1', path: '/m/x.gguf' });
    // Bug reports want the end of the log, bounded so a chatty backend cannot bloat every status event.
    expect(e.details!.split('\n')).toEqual(tail.slice(40));
  });
});

describe('notableLine', () => {
  it.each([
    { name: 'no lines', lines: [], want: null },
    { name: 'only info lines', lines: HEALTHY_START, want: null },
    // The newest explanation is the one nearest the exit.
    {
      name: 'the last matching line wins, trimmed',
      lines: ['  first error  ', 'ok', '  GGML_ASSERT(x) failed  ', 'fine'],
      want: 'GGML_ASSERT(x) failed',
    },
    { name: 'case-insensitive', lines: ['Some ERROR here'], want: 'Some ERROR here' },
    {
      name: 'CUDA error',
      lines: ['x', 'CUDA error: unspecified launch failure'],
      want: 'CUDA error: unspecified launch failure',
    },
  ])('$name', ({ lines, want }) => {
    expect(notableLine(lines)).toBe(want);
  });

  // Same defect as above, at the unit that causes it: a backtrace frame must never be "the" explanation.
  it('skips backtrace frames', () => {
    expect(notableLine([...CUDA_ABORT, ...BACKTRACE])).toMatch(/CUDA error: an illegal memory access/);
  });
});

describe('parseListening', () => {
  it.each([
    // The pinned build prints the URL with the real port after `--port 0`; the supervisor connects to exactly this.
    {
      line: '0.00.890.437 I srv  llama_server: listening on http://127.0.0.1:43199',
      want: { host: '127.0.0.1', port: 43199 },
    },
    { line: '0.00.656.370 I srv  llama_server: listening on http://[::1]:37861', want: { host: '[::1]', port: 37861 } },
    {
      line: 'main: server is listening on 127.0.0.1:8080 - starting the main loop',
      want: { host: '127.0.0.1', port: 8080 },
    },
    { line: 'server is listening on https://localhost:9000', want: { host: 'localhost', port: 9000 } },
    { line: '0.00.004.132 I srv    load_model: loading model', want: null },
    // "not listening" must not produce a port from some other number on the line.
    { line: "couldn't bind HTTP server socket, hostname: 127.0.0.1, port: 8080", want: null },
    { line: '', want: null },
  ])('$line', ({ line, want }) => {
    expect(parseListening(line)).toEqual(want);
  });
});

describe('isBindFailure', () => {
  it.each([
    // The supervisor retries on another port exactly when this says so, and classifyExit names the same lines
    // BACKEND_PORT_IN_USE: one pattern, so a retry and the reported reason can never disagree.
    { line: PORT_TAKEN[2]!, want: true },
    { line: 'bind() failed: Address already in use', want: true },
    { line: 'failed to bind to 127.0.0.1:8080', want: true },
    // A healthy start must never look like a lost port (it would restart a good run).
    ...HEALTHY_START.map((line) => ({ line, want: false })),
  ])('$line → $want', ({ line, want }) => {
    expect(isBindFailure(line)).toBe(want);
    expect(classifyExit([line], exit1, 'loading').code === 'BACKEND_PORT_IN_USE').toBe(want);
  });
});
