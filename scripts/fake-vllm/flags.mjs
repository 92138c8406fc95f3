// The `vllm` command line as vLLM's argparse sees it (see SOURCES.md for where each fact comes from):
//   vllm [-h] [-v] {chat,complete,serve,bench,collect-env,run-batch} ...
// `serve` takes the model as a positional `model_tag` and FrontendArgs + AsyncEngineArgs as flags. vLLM's
// FlexibleArgumentParser also accepts `--flag=value` and underscores in flag names (--max_model_len).
// This table is a SUBSET of vLLM's flags: the ones DeepLocal passes and the common ones users add. A real flag missing
// here is refused like an unknown one; add it here (with its argparse type) when a test needs it.

export const QUANTIZATION_METHODS = [
  'aqlm',
  'awq',
  'deepspeedfp',
  'tpu_int8',
  'fp8',
  'ptpc_fp8',
  'fbgemm_fp8',
  'deepgemm_fp8',
  'modelopt',
  'modelopt_fp4',
  'marlin',
  'bitblas',
  'gguf',
  'gptq_marlin_24',
  'gptq_marlin',
  'gptq_bitblas',
  'awq_marlin',
  'gptq',
  'compressed-tensors',
  'bitsandbytes',
  'qqq',
  'hqq',
  'experts_int8',
  'neuron_quant',
  'ipex',
  'quark',
  'moe_wna16',
  'torchao',
  'auto-round',
];

export const DTYPES = ['auto', 'half', 'float16', 'bfloat16', 'float', 'float32'];

/** Reasoning parsers registered in vLLM (ReasoningParserManager); an unknown one is a KeyError at setup. */
export const REASONING_PARSERS = [
  'deepseek_r1',
  'deepseek_v3',
  'qwen3',
  'granite',
  'hunyuan_a13b',
  'mistral',
  'glm45',
  'gpt_oss',
  'step3',
  'seed_oss',
];

const int = { type: 'int' };
const float = { type: 'float' };
const str = { type: 'str' };
const bool = { type: 'bool' };
const json = { type: 'str' };
const many = { type: 'str', nargs: '+' };
const choices = (list) => ({ type: 'choice', choices: list });
/** argparse.BooleanOptionalAction: --x and --no-x. */
const optBool = { type: 'bool', negatable: true };

/** flag → spec; aliases point at the same spec object with `dest` shared. */
const FLAGS = {
  // FrontendArgs (vllm/entrypoints/openai/cli_args.py)
  '--host': str,
  '--port': int,
  '--uds': str,
  '--uvicorn-log-level': choices(['critical', 'error', 'warning', 'info', 'debug', 'trace']),
  '--disable-uvicorn-access-log': bool,
  '--allow-credentials': bool,
  '--allowed-origins': json,
  '--allowed-methods': json,
  '--allowed-headers': json,
  '--api-key': many,
  '--lora-modules': many,
  '--chat-template': str,
  '--chat-template-content-format': choices(['auto', 'string', 'openai']),
  '--response-role': str,
  '--ssl-keyfile': str,
  '--ssl-certfile': str,
  '--root-path': str,
  '--middleware': str,
  '--return-tokens-as-token-ids': bool,
  '--enable-request-id-headers': bool,
  '--enable-auto-tool-choice': bool,
  '--tool-call-parser': str,
  '--max-log-len': int,
  '--disable-fastapi-docs': bool,
  '--enable-prompt-tokens-details': bool,
  '--enable-force-include-usage': bool,
  '--enable-log-outputs': bool,
  '--headless': bool,
  '--api-server-count': int,
  '-asc': int,
  '--config': str,
  // AsyncEngineArgs (vllm/engine/arg_utils.py)
  '--model': str,
  '--tokenizer': str,
  '--tokenizer-mode': str,
  '--revision': str,
  '--trust-remote-code': optBool,
  '--dtype': choices(DTYPES),
  '--seed': int,
  '--max-model-len': { type: 'human-int' },
  '--quantization': choices(QUANTIZATION_METHODS),
  '-q': choices(QUANTIZATION_METHODS),
  '--enforce-eager': optBool,
  '--max-num-seqs': int,
  '--max-num-batched-tokens': int,
  '--gpu-memory-utilization': float,
  '--kv-cache-memory-bytes': { type: 'human-int' },
  '--kv-cache-dtype': choices(['auto', 'bfloat16', 'fp8', 'fp8_e4m3', 'fp8_e5m2', 'fp8_inc']),
  '--tensor-parallel-size': int,
  '-tp': int,
  '--pipeline-parallel-size': int,
  '-pp': int,
  '--data-parallel-size': int,
  '-dp': int,
  '--enable-expert-parallel': optBool,
  '--distributed-executor-backend': choices(['ray', 'mp', 'uni', 'external_launcher']),
  '--served-model-name': many,
  '--reasoning-parser': str,
  '--generation-config': str,
  '--load-format': str,
  '--download-dir': str,
  '--swap-space': float,
  '--cpu-offload-gb': float,
  '--block-size': int,
  '--enable-prefix-caching': optBool,
  '--enable-chunked-prefill': optBool,
  '--max-logprobs': int,
  '--disable-custom-all-reduce': bool,
  '--limit-mm-per-prompt': json,
  '--hf-token': str,
  '--compilation-config': json,
  '-O': json,
  '--speculative-config': json,
  '--async-scheduling': optBool,
  '--disable-log-stats': bool,
  '--enable-log-requests': optBool,
};

/** The dest name argparse gives a flag (what `non-default args` prints). */
const DEST = {
  '-asc': 'api_server_count',
  '-q': 'quantization',
  '-tp': 'tensor_parallel_size',
  '-pp': 'pipeline_parallel_size',
  '-dp': 'data_parallel_size',
  '-O': 'compilation_config',
};
export function destOf(flag) {
  return DEST[flag] ?? flag.replace(/^-+/, '').replace(/-/g, '_');
}

export const TOP_USAGE = 'usage: vllm [-h] [-v]\n            {chat,complete,serve,bench,collect-env,run-batch} ...';
const SERVE_USAGE = 'usage: vllm serve [model_tag] [options]';

export class ArgError extends Error {
  /** @param {'top'|'serve'} scope where argparse reports it (unrecognized arguments: the top parser) */
  constructor(message, scope) {
    super(message);
    this.scope = scope;
  }
  text() {
    return this.scope === 'top'
      ? `${TOP_USAGE}\nvllm: error: ${this.message}\n`
      : `${SERVE_USAGE}\nvllm serve: error: ${this.message}\n`;
  }
}

/** vLLM's human_readable_int: 4096, 4k, 1K (1024), 1m … */
function humanInt(v) {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(v);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2];
  const mult =
    unit === ''
      ? 1
      : unit === 'k'
        ? 1e3
        : unit === 'K'
          ? 1024
          : unit === 'm'
            ? 1e6
            : unit === 'M'
              ? 1024 ** 2
              : unit === 'g'
                ? 1e9
                : 1024 ** 3;
  const out = n * mult;
  return Number.isInteger(out) ? out : null;
}

function convert(flag, spec, raw) {
  const shown = flag;
  switch (spec.type) {
    case 'int':
      if (!/^[-+]?\d+$/.test(raw)) throw new ArgError(`argument ${shown}: invalid int value: '${raw}'`, 'serve');
      return Number(raw);
    case 'human-int': {
      const n = humanInt(raw);
      if (n === null) throw new ArgError(`argument ${shown}: invalid human_readable_int value: '${raw}'`, 'serve');
      return n;
    }
    case 'float':
      if (!Number.isFinite(Number(raw)) || raw.trim() === '')
        throw new ArgError(`argument ${shown}: invalid float value: '${raw}'`, 'serve');
      return Number(raw);
    case 'choice':
      if (!spec.choices.includes(raw))
        throw new ArgError(
          `argument ${shown}: invalid choice: '${raw}' (choose from ${spec.choices.map((c) => `'${c}'`).join(', ')})`,
          'serve',
        );
      return raw;
    default:
      return raw;
  }
}

/**
 * Parses `serve` arguments (everything after `serve`). Returns { model, opts } with opts keyed by dest.
 * Throws ArgError with argparse's text.
 */
export function parseServe(args) {
  const opts = {};
  const positionals = [];
  const unknown = [];
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    let inline;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (a.startsWith('--')) a = '--' + a.slice(2).replace(/_/g, '-');
    let spec = FLAGS[a];
    let negated = false;
    if (!spec && a.startsWith('--no-') && FLAGS['--' + a.slice(5)]?.negatable) {
      spec = FLAGS['--' + a.slice(5)];
      negated = true;
      a = '--' + a.slice(5);
    }
    if (!spec) {
      unknown.push(args[i]);
      // argparse keeps an unknown flag's following non-flag word among the extras too.
      if (inline === undefined && i + 1 < args.length && !args[i + 1].startsWith('-')) unknown.push(args[++i]);
      continue;
    }
    const dest = destOf(a);
    if (spec.type === 'bool') {
      if (inline !== undefined) throw new ArgError(`argument ${a}: ignored explicit argument '${inline}'`, 'serve');
      opts[dest] = !negated;
      continue;
    }
    if (spec.nargs === '+') {
      const vals = inline !== undefined ? [inline] : [];
      while (inline === undefined && i + 1 < args.length && !args[i + 1].startsWith('-')) vals.push(args[++i]);
      if (vals.length === 0) throw new ArgError(`argument ${a}: expected at least one argument`, 'serve');
      opts[dest] = vals;
      continue;
    }
    const raw = inline ?? args[++i];
    if (raw === undefined || (inline === undefined && raw.startsWith('-') && !/^-\d/.test(raw)))
      throw new ArgError(`argument ${a}: expected one argument`, 'serve');
    opts[dest] = convert(a, spec, raw);
  }
  if (positionals.length > 1) unknown.push(...positionals.slice(1));
  if (unknown.length) throw new ArgError(`unrecognized arguments: ${unknown.join(' ')}`, 'top');
  const model = positionals[0] ?? opts.model;
  if (!model) throw new ArgError('the following arguments are required: model_tag', 'serve');
  return { model, opts };
}
