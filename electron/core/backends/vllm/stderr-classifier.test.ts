/**
 * vLLM's output tail → typed reason. Two kinds of rows: what the stand-in prints (scripts/fake-vllm/fixtures/errors,
 * the texts it takes from public captures) and lines quoted from public reports of real vLLM runs, each named by its
 * issue (see scripts/fake-vllm/SOURCES.md). vLLM cannot run here (no GPU, no PyPI), so nothing is captured locally.
 */
import { describe, expect, it } from 'vitest';
import { classifyVllmExit, vllmErrorCode, vllmExitError, type VllmFailure } from './stderr-classifier';
import { errorLines, startupLines } from './test-fixtures';

const exit1 = { code: 1, signal: null };

describe('the stand-in texts', () => {
  const rows: [string, VllmFailure, RegExp, string?][] = [
    ['oom', 'oom', /^torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 224\.00 MiB/],
    ['no-gpu', 'no-gpu', /^RuntimeError: No CUDA GPUs are available$/],
    ['bad-quant', 'unsupported-quantization', /not supported for the current GPU/, 'awq'],
    [
      'bad-arch',
      'unsupported-architecture',
      /Model architectures \['FooForCausalLM'\] are not supported/,
      'FooForCausalLM',
    ],
    ['port', 'port-in-use', /^OSError: \[Errno 98\] Address already in use$/],
    ['import', 'python-import', /^ModuleNotFoundError: No module named 'torch'$/],
  ];
  for (const [file, reason, detail, subject] of rows) {
    it(`${file}.log → ${reason}`, () => {
      // The startup lines printed before the failure come first, as in a real tail.
      const before = startupLines()
        .filter((l) => l.stage === 'pre' || l.stage === 'cfg')
        .map((l) => l.line);
      const c = classifyVllmExit([...before, ...errorLines(file)], exit1);
      expect(c.reason).toBe(reason);
      expect(c.detail).toMatch(detail);
      if (subject) expect(c.subject).toBe(subject);
    });
  }
});

describe('lines from public reports of real vLLM', () => {
  const rows: [string, string[], VllmFailure, string?][] = [
    [
      'vllm-project/vllm#2140 (0.4–0.5, torch.cuda.OutOfMemoryError, with "capacty")',
      [
        'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 518.00 MiB. GPU 0 has a total capacty of 21.67 GiB of which 4.06 MiB is free.',
      ],
      'oom',
    ],
    [
      'vllm-project/vllm#7514 (0.6.1, the port check of that time)',
      ['    temp_socket.bind(("", args.port))', 'OSError: [Errno 98] Address already in use'],
      'port-in-use',
    ],
    [
      'UKGovernmentBEIS/inspect_ai#1809 (macOS errno)',
      ['    sock.bind(addr)', 'OSError: [Errno 48] Address already in use'],
      'port-in-use',
    ],
    [
      'containers/ramalama#758 (2026, unknown flag)',
      [
        'usage: vllm [-h] [-v]',
        '            {chat,complete,serve,launch,bench,collect-env,run-batch} ...',
        'vllm: error: unrecognized arguments: --temperature 0.8',
      ],
      'bad-arguments',
    ],
    [
      'vllm-project/vllm#18538 (--enable-reasoning after its removal)',
      ['usage: vllm [-h] {serve,complete,chat} ...', 'vllm: error: unrecognized arguments: --enable-reasoning'],
      'bad-arguments',
    ],
    [
      'NVIDIA/Model-Optimizer#261 (checkpoint naming no method vLLM knows)',
      ["Value error, Unknown quantization method: . Must be one of ['aqlm', 'awq', 'deepspeedfp', 'tpu_int8', 'fp8']"],
      'unsupported-quantization',
    ],
    [
      'vllm-project/vllm#1919 (old ValueError form)',
      ["ValueError: Unknown quantization method: gptq. Must be one of ['awq', 'squeezellm']."],
      'unsupported-quantization',
      'gptq',
    ],
    [
      'vllm-project/vllm#9515',
      [
        "ValueError: Model architectures ['LlamaForCausalLM'] are not supported for now. Supported architectures: ['AquilaModel', 'AquilaForCausalLM']",
      ],
      'unsupported-architecture',
      'LlamaForCausalLM',
    ],
    ['vllm-project/vllm#14413 (title)', ['RuntimeError: No CUDA GPUs are available'], 'no-gpu'],
    [
      'vllm-project/vllm#9377 (a broken CUDA extension)',
      [
        'ERROR 10-16 05:20:48 registry.py:264] ImportError: /usr/local/lib/python3.10/dist-packages/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so: undefined symbol: _ZN3c105ErrorC2ENS_14SourceLocationE',
      ],
      'python-import',
    ],
  ];
  for (const [source, lines, reason, subject] of rows) {
    it(`${source} → ${reason}`, () => {
      const c = classifyVllmExit(lines, exit1);
      expect(c.reason).toBe(reason);
      if (subject) expect(c.subject).toBe(subject);
    });
  }
});

describe('no known reason', () => {
  it('quotes the root exception, not the API server wrap-up line', () => {
    const c = classifyVllmExit(
      [
        '(EngineCore_DP0 pid=9) ERROR 10-26 21:47:50 [core.py:708] AssertionError: something internal',
        '(APIServer pid=8) RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}',
      ],
      exit1,
    );
    expect(c).toEqual({ reason: 'other', detail: 'exit code 1: AssertionError: something internal' });
  });
  it('says how it ended when nothing explains it', () => {
    expect(classifyVllmExit(['INFO 10-26 21:47:50 [x.py:1] fine'], { code: null, signal: 'SIGSEGV' })).toEqual({
      reason: 'other',
      detail: 'signal SIGSEGV',
    });
  });
});

describe('error codes', () => {
  it.each([
    ['oom', 'loading', null, 'BACKEND_OOM'],
    ['port-in-use', 'loading', null, 'BACKEND_PORT_IN_USE'],
    ['no-gpu', 'loading', null, 'VLLM_NO_GPU'],
    ['unsupported-quantization', 'loading', null, 'VLLM_UNSUPPORTED_QUANT'],
    ['unsupported-architecture', 'loading', null, 'VLLM_UNSUPPORTED_ARCH'],
    ['python-import', 'loading', null, 'VLLM_PYTHON_ENV'],
    ['bad-arguments', 'loading', null, 'MODEL_LOAD_FAILED'],
    ['oom', 'running', null, 'BACKEND_OOM'],
    ['other', 'running', 'SIGSEGV', 'BACKEND_CRASHED'],
    ['other', 'running', 'SIGTERM', 'BACKEND_EXITED'],
    ['other', 'loading', null, 'MODEL_LOAD_FAILED'],
  ] as const)('%s while %s (%s) → %s', (reason, phase, signal, code) => {
    expect(vllmErrorCode({ reason, detail: 'x' }, phase, signal)).toBe(code);
  });
  it("fills each code's message parameters from the classified line", () => {
    const q = vllmExitError(
      classifyVllmExit(errorLines('bad-quant'), exit1),
      'loading',
      null,
      '/m',
      errorLines('bad-quant'),
    );
    expect(q.code).toBe('VLLM_UNSUPPORTED_QUANT');
    expect(q.params?.method).toBe('awq');
    expect(q.message).toMatch(/^vLLM cannot run this quantization \(awq\) here: .*not supported for the current GPU/);
    const a = vllmExitError(classifyVllmExit(errorLines('bad-arch'), exit1), 'loading', null, '/m', []);
    expect(a.code).toBe('VLLM_UNSUPPORTED_ARCH');
    expect(a.message).toBe('This vLLM cannot run models of architecture FooForCausalLM.');
    const g = vllmExitError(classifyVllmExit(errorLines('no-gpu'), exit1), 'loading', null, '/m', []);
    expect(g.message).toBe('vLLM sees no usable NVIDIA GPU: RuntimeError: No CUDA GPUs are available');
    const p = vllmExitError(classifyVllmExit(errorLines('import'), exit1), 'loading', null, '/m', []);
    expect(p.code).toBe('VLLM_PYTHON_ENV');
    expect(p.message).toMatch(/No module named 'torch'/);
  });
  it('keeps the tail as details', () => {
    const e = vllmExitError({ reason: 'oom', detail: 'CUDA out of memory' }, 'loading', null, '/m', ['a', 'b']);
    expect(e.code).toBe('BACKEND_OOM');
    expect(e.details).toBe('a\nb');
  });
});
