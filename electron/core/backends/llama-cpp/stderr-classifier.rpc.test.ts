/**
 * llama-server's tail when a llama.cpp RPC worker drops out → RPC_WORKER_LOST {address, reason}. The tails marked
 * "captured" were recorded from the pinned build (resources/bin, de3ff81); the handshake one is assembled from the
 * format strings in ggml/src/ggml-rpc/ggml-rpc.cpp.
 */
import { describe, expect, it } from 'vitest';
import { UNKNOWN_RPC_WORKER, classifiedToError, classifyExit, rpcWorkerLost } from './stderr-classifier';

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

// Captured at de3ff81 (llama-server --rpc, ggml-rpc-server killed with SIGKILL while a reply streamed; and --rpc
// naming a port nothing listens on). Both end in GGML_ABORT (SIGABRT) with a gdb backtrace after them.
const RPC_CUT_MID_REPLY = [
  '0.06.225.896 I slot print_timing: id  0 | task 0 | n_gen =    206, tg =  67.95 t/s, tg_3s =  68.28 t/s',
  '/root/.cache/deeplocal/src/llama.cpp-de3ff81/ggml/src/ggml-rpc/ggml-rpc.cpp:566: Remote RPC server crashed or returned malformed response',
  '0.06.260.122 E recv failed (bytes_recv=0, size_to_recv=8)',
  '[New LWP 16433]',
  '[Thread debugging using libthread_db enabled]',
  '#2  0x000055983b973ba8 in ggml_abort ()',
  '[Inferior 1 (process 16248) detached]',
];
const RPC_CONNECT_FAILED = [
  '/root/.cache/deeplocal/src/llama.cpp-de3ff81/ggml/src/ggml-rpc/ggml-rpc.cpp:547: Failed to connect to 127.0.0.1:1',
  '#2  0x000055983b973ba8 in ggml_abort ()',
  '#3  0x000055983b9631da in rpc_dispatcher::start(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&) ()',
  '#5  0x000055983b96b57c in ggml_backend_rpc_add_server ()',
];
const RPC_HANDSHAKE = [
  '0.00.031.000 E RPC server version mismatch: 6.0.0',
  '/src/ggml/src/ggml-rpc/ggml-rpc.cpp:550: RPC handshake failed for 192.168.1.7:50052',
];

const sig = (s: string) => ({ code: null, signal: s });

describe('classifyExit: RPC workers', () => {
  it.each([
    [
      'captured: killed mid-reply',
      [...HEALTHY_START, ...RPC_CUT_MID_REPLY],
      'running',
      /^recv failed \(bytes_recv=0, size_to_recv=8\)$/,
    ],
    ['captured: not listening at load', RPC_CONNECT_FAILED, 'loading', /connection failed/],
    ['another protocol version at load', RPC_HANDSHAKE, 'loading', /RPC server version mismatch: 6\.0\.0/],
  ] as const)('%s → RPC_WORKER_LOST', (_name, lines, phase, reason) => {
    const c = classifyExit(lines, sig('SIGABRT'), phase);
    expect(c.code).toBe('RPC_WORKER_LOST');
    expect(c.reason).toMatch(reason);
  });
});

describe('RPC workers that drop out → RPC_WORKER_LOST {address, reason}', () => {
  it.each([
    ['mid-reply (no address in the output)', [...HEALTHY_START, ...RPC_CUT_MID_REPLY], UNKNOWN_RPC_WORKER],
    ['at load: not listening', RPC_CONNECT_FAILED, '127.0.0.1:1'],
    ['at load: handshake', RPC_HANDSHAKE, '192.168.1.7:50052'],
  ])('%s', (_name, lines, address) => {
    const c = classifyExit(lines, sig('SIGABRT'), 'running');
    const e = classifiedToError(c, '/m/x.gguf', lines);
    expect(e.code).toBe('RPC_WORKER_LOST');
    expect(e.params?.address).toBe(address);
    expect(String(e.params?.reason).length).toBeGreaterThan(0);
    expect(e.message).toContain(`RPC worker ${address}`);
  });
  it('wins over the out-of-memory rule and the generic crash', () => {
    const lines = [
      '0.01.000.000 E ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer',
      ...RPC_CUT_MID_REPLY,
    ];
    expect(classifyExit(lines, sig('SIGABRT'), 'running').code).toBe('RPC_WORKER_LOST');
  });
  it('a download error that mentions connecting is not an RPC worker', () => {
    const lines = ['E curl: Failed to connect to huggingface.co port 443 after 3 ms', 'error loading model'];
    expect(rpcWorkerLost(lines)).toBeNull();
  });
});
