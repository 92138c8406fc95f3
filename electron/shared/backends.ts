/**
 * Schemas of the backend kinds beyond llama.cpp (issue 15): a supervised vLLM (and Ray across machines), external
 * OpenAI-compatible servers, and llama.cpp RPC workers on other machines. The contract's methods are in
 * contract-backends.ts; settings for RPC in `RpcSettings` (schemas.ts Settings.rpc).
 */
import { z } from 'zod';
import { ErrorInfo } from './errors';

/** What runs the model: our llama-server, a vLLM we supervise, or a server someone else runs. */
export const BackendKind = z.enum(['llama-cpp', 'vllm', 'external']);
export type BackendKind = z.infer<typeof BackendKind>;

// ---------- vLLM ----------

export const VllmGpu = z.object({
  index: z.number().int().min(0),
  name: z.string(),
  /** Total memory as torch reports it; null when unknown. */
  memoryMiB: z.number().int().nullable(),
  /** CUDA compute capability, e.g. "8.9"; null when unknown. */
  capability: z.string().nullable(),
});
export type VllmGpu = z.infer<typeof VllmGpu>;

/** One vLLM installation found on this machine (or inside WSL2). */
export const VllmInstall = z.object({
  /** Stable id, e.g. "path:/usr/local/bin/vllm", "venv:/home/u/.venvs/vllm", "wsl:Ubuntu-22.04". */
  id: z.string().max(4200),
  source: z.enum(['path', 'python', 'venv', 'conda', 'wsl', 'setting']),
  /** The argv prefix that runs vLLM's CLI here (then `serve …`), e.g. ["/x/bin/vllm"] or ["wsl", "-d", "Ubuntu", "-e", "vllm"]. */
  command: z.array(z.string()),
  version: z.string().nullable(),
  python: z.string().nullable(),
  torch: z.string().nullable(),
  /** CUDA version torch was built with (torch.version.cuda); null: CPU-only torch or unknown. */
  cuda: z.string().nullable(),
  gpus: z.array(VllmGpu),
  /** Runs models here: a supported version that sees at least one GPU. */
  usable: z.boolean(),
  /** Why it is not usable (VLLM_TOO_OLD, VLLM_NO_GPU, VLLM_PYTHON_ENV, …); null when usable. */
  problem: ErrorInfo.nullable(),
});
export type VllmInstall = z.infer<typeof VllmInstall>;

/** The exact commands to install vLLM on this machine, to copy (we never install Python packages ourselves). */
export const VllmInstallGuide = z.object({
  /** 'linux': a venv + pip; 'wsl': Windows with WSL2 (the commands run inside it); 'windows-no-wsl': WSL2 first; 'unsupported': macOS etc. */
  platform: z.enum(['linux', 'wsl', 'windows-no-wsl', 'unsupported']),
  /** Each step's title and text are translated in the renderer from its id (i18n backends.vllm.guide.<id>). */
  steps: z.array(z.object({ id: z.string(), commands: z.array(z.string()) })),
});
export type VllmInstallGuide = z.infer<typeof VllmInstallGuide>;

export const VllmDetection = z.object({
  installs: z.array(VllmInstall),
  /** The install vllm.start uses by default (the first usable one); null when none is usable. */
  preferred: z.string().nullable(),
  guide: VllmInstallGuide,
  checkedAt: z.number(),
});
export type VllmDetection = z.infer<typeof VllmDetection>;

export const VllmDtype = z.enum(['auto', 'half', 'float16', 'bfloat16', 'float', 'float32']);

/** What vLLM-only there is to choose; the context (max-model-len) and parallel requests come from LoadOptions. */
export const VllmOptions = z.object({
  /** VllmInstall.id; null: the preferred one. */
  install: z.string().max(4200).nullable().default(null),
  /** Share of each GPU's memory vLLM may take (weights + activations + KV cache). */
  gpuMemoryUtilization: z.number().min(0.1).max(0.99).default(0.9),
  /** GPU indexes to use (CUDA_VISIBLE_DEVICES); null: all it sees. Tensor-parallel size = how many. */
  gpus: z.array(z.number().int().min(0).max(63)).max(64).nullable().default(null),
  /** null: as the checkpoint's quantization_config says (vLLM reads it). */
  quantization: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/)
    .nullable()
    .default(null),
  dtype: VllmDtype.default('auto'),
  enforceEager: z.boolean().default(false),
  /** Across machines: Ray (the head runs here, workers join it); the tensor-parallel size then counts all nodes' GPUs. */
  ray: z
    .object({ nodes: z.number().int().min(1).max(64), gpusPerNode: z.number().int().min(1).max(64) })
    .nullable()
    .default(null),
});
export type VllmOptions = z.infer<typeof VllmOptions>;

/** A local vLLM-format checkpoint (a Hugging Face snapshot folder), read from config.json and the shard index. */
export const VllmModel = z.object({
  path: z.string(),
  name: z.string(),
  /** config.json architectures[0], e.g. "Qwen2ForCausalLM". */
  architecture: z.string(),
  /** quantization_config.quant_method (awq, gptq, fp8, compressed-tensors, …); null: unquantized. */
  quantization: z.string().nullable(),
  /** torch_dtype / dtype from config.json. */
  dtype: z.string().nullable(),
  sizeBytes: z.number().int().nonnegative(),
  shards: z.number().int().min(0),
  contextLength: z.number().int().nullable(),
  parameterCount: z.number().nullable(),
  /** R1-family: vLLM's deepseek_r1 reasoning parser separates the thinking. */
  reasoning: z.boolean(),
});
export type VllmModel = z.infer<typeof VllmModel>;

/** vLLM's memory plan: weights + KV cache within gpuMemoryUtilization of each GPU. */
export const VllmFit = z.object({
  weightsBytes: z.number(),
  /** KV cache per token of context (all layers, K and V). */
  kvBytesPerToken: z.number(),
  /** KV cache at the planned max model length. */
  kvBytes: z.number(),
  /** CUDA graphs, activations, the CUDA context: a fixed reserve per GPU. */
  overheadBytes: z.number(),
  /** Σ over the GPUs used of memory × gpuMemoryUtilization. */
  budgetBytes: z.number(),
  maxModelLen: z.number().int(),
  /** The longest context that still fits (vLLM refuses to start when max-model-len's KV cache does not). */
  maxFittingLen: z.number().int(),
  fits: z.boolean(),
});
export type VllmFit = z.infer<typeof VllmFit>;

export const VllmPlan = z.object({
  model: VllmModel,
  options: VllmOptions,
  install: VllmInstall.nullable(),
  tensorParallelSize: z.number().int().min(1),
  maxModelLen: z.number().int().min(1),
  reasoningParser: z.string().nullable(),
  /** The `vllm serve` command as it will run, for display (the API key is in the environment, never here). */
  command: z.array(z.string()),
  fit: VllmFit,
  /** What stops it from starting (no install, does not fit, …); empty when it can start. */
  problems: z.array(ErrorInfo),
});
export type VllmPlan = z.infer<typeof VllmPlan>;

// ---------- Ray (vLLM across machines) ----------

export const RayNodeInput = z.strictObject({
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:[\]-]+$/),
  gpus: z.number().int().min(1).max(64),
});

export const RayCommands = z.object({
  /** Run on this machine (the app supervises it with vllm.start when ray is set): `ray start --head …`. */
  head: z.array(z.string()),
  /** One per worker machine, to run there. */
  workers: z.array(z.object({ host: z.string(), command: z.array(z.string()) })),
  /** The `vllm serve` the head runs once every node joined. */
  serve: z.array(z.string()),
  tensorParallelSize: z.number().int(),
  pipelineParallelSize: z.number().int(),
});
export type RayCommands = z.infer<typeof RayCommands>;

export const RayHeadStatus = z.object({
  state: z.enum(['stopped', 'starting', 'running', 'failed']),
  /** host:port workers join. */
  address: z.string().nullable(),
  pid: z.number().int().nullable(),
  error: ErrorInfo.nullable(),
});
export type RayHeadStatus = z.infer<typeof RayHeadStatus>;

// ---------- external OpenAI-compatible servers ----------

export const RemoteFlavor = z.enum([
  'ollama',
  'lmstudio',
  'vllm',
  'llama.cpp',
  'tgi',
  'deeplocal',
  'openai',
  'unknown',
]);
export type RemoteFlavor = z.infer<typeof RemoteFlavor>;

export const RemoteModel = z.object({
  id: z.string(),
  ownedBy: z.string().nullable(),
  contextLength: z.number().int().nullable(),
});
export type RemoteModel = z.infer<typeof RemoteModel>;

export const RemoteCertificate = z.object({
  /** SHA-256 fingerprint, "AB:CD:…" as browsers show it. */
  fingerprint256: z.string(),
  subject: z.string(),
  issuer: z.string(),
  validTo: z.string(),
  /** Verified by the system's certificate authorities. */
  trusted: z.boolean(),
});
export type RemoteCertificate = z.infer<typeof RemoteCertificate>;

export const RemoteCheck = z.object({
  at: z.number(),
  ok: z.boolean(),
  latencyMs: z.number().nullable(),
  flavor: RemoteFlavor,
  models: z.array(RemoteModel),
  /** https: the server's certificate (so the user can compare and trust a self-signed one); null for http. */
  certificate: RemoteCertificate.nullable(),
  /** REMOTE_BAD_URL, REMOTE_REFUSED, REMOTE_AUTH, REMOTE_TIMEOUT, REMOTE_NOT_OPENAI, REMOTE_TLS, …; null when ok. */
  error: ErrorInfo.nullable(),
});
export type RemoteCheck = z.infer<typeof RemoteCheck>;

export const RemoteServer = z.object({
  id: z.string(),
  name: z.string(),
  /** Base URL without /v1 (http or https). */
  url: z.string(),
  hasKey: z.boolean(),
  /** Where the key is kept: the OS keychain (desktop app), or a file only this user can read (0600). */
  keyStorage: z.enum(['keychain', 'file']).nullable(),
  /** A self-signed certificate the user chose to trust (its SHA-256 fingerprint); null: the system's CAs decide. */
  trustedFingerprint256: z.string().nullable(),
  addedAt: z.number(),
  lastCheck: RemoteCheck.nullable(),
});
export type RemoteServer = z.infer<typeof RemoteServer>;

const RemoteName = z.string().trim().min(1).max(100);
const RemoteUrl = z.string().trim().min(1).max(2000);
const RemoteKey = z.string().max(4096);
const Fingerprint = z.string().regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/);

/** A server to check or add. The URL is checked by the core (REMOTE_BAD_URL), so the error can say what is wrong. */
export const RemoteServerInput = z.strictObject({
  name: RemoteName.optional(),
  url: RemoteUrl,
  /** Empty or absent: no key. */
  apiKey: RemoteKey.nullable().optional(),
  trustFingerprint256: Fingerprint.nullable().optional(),
});
export type RemoteServerInput = z.infer<typeof RemoteServerInput>;

export const RemoteServerPatch = z.strictObject({
  name: RemoteName.optional(),
  url: RemoteUrl.optional(),
  /** null removes the key; absent keeps it. */
  apiKey: RemoteKey.nullable().optional(),
  trustFingerprint256: Fingerprint.nullable().optional(),
});

// ---------- llama.cpp RPC ----------

export const RpcHost = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]%-]+$/);
export const RpcPort = z.number().int().min(1).max(65535);

export const RpcDevice = z.object({
  index: z.number().int(),
  /** Name and description (RPC protocol ≥ 3.x reports them; older workers: null). */
  name: z.string().nullable(),
  description: z.string().nullable(),
  freeBytes: z.number(),
  totalBytes: z.number(),
});
export type RpcDevice = z.infer<typeof RpcDevice>;

export const RpcCheck = z.object({
  at: z.number(),
  ok: z.boolean(),
  latencyMs: z.number().nullable(),
  /** The worker's RPC protocol version, "3.0.0"; null when it did not answer. */
  protocol: z.string().nullable(),
  /** Same protocol major version as our llama-server's. */
  compatible: z.boolean(),
  devices: z.array(RpcDevice),
  /** RPC_UNREACHABLE, RPC_INCOMPATIBLE, …; null when ok. */
  error: ErrorInfo.nullable(),
});
export type RpcCheck = z.infer<typeof RpcCheck>;

export const RpcWorkerEntry = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  host: RpcHost,
  port: RpcPort,
  /** Used by the next start (when its check passes). */
  enabled: z.boolean().default(true),
  addedAt: z.number(),
});
export type RpcWorkerEntry = z.infer<typeof RpcWorkerEntry>;

export const RpcWorker = RpcWorkerEntry.extend({
  /** host:port as llama-server's --rpc takes it. */
  address: z.string(),
  lastCheck: RpcCheck.nullable(),
});
export type RpcWorker = z.infer<typeof RpcWorker>;

/** This machine as an RPC worker for another DeepLocal (runs ggml-rpc-server of the active runtime). */
export const RpcWorkerModeSettings = z.object({
  /** Start the worker with the app (the Settings switch). */
  enabled: z.boolean().default(false),
  /** Interface to listen on: 127.0.0.1 (this machine only) or a LAN address / 0.0.0.0. */
  host: z.string().max(253).default('127.0.0.1'),
  port: RpcPort.default(50052),
  /** ggml device names to offer (ggml-rpc-server -d), e.g. ["CUDA0"]; empty: all. */
  devices: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/))
    .max(16)
    .default([]),
  /** CPU threads for a CPU device; 0: ggml's default. */
  threads: z.number().int().min(0).max(512).default(0),
  /** Local file cache of tensors (ggml-rpc-server -c): a second load of the same model sends less. */
  cache: z.boolean().default(true),
});
export type RpcWorkerModeSettings = z.infer<typeof RpcWorkerModeSettings>;

export const RpcSettings = z.object({
  workers: z.array(RpcWorkerEntry).max(16).default([]),
  worker: RpcWorkerModeSettings.default(() => RpcWorkerModeSettings.parse({})),
});
export type RpcSettings = z.infer<typeof RpcSettings>;

export const RpcWorkerMode = z.object({
  state: z.enum(['stopped', 'starting', 'running', 'failed']),
  host: z.string(),
  port: z.number().int(),
  /** Addresses to enter on the main machine (host:port per LAN interface when listening on all). */
  addresses: z.array(z.string()),
  /** Not loopback: anyone on the network can use it (an RPC worker has no authentication). */
  exposed: z.boolean(),
  devices: z.array(z.string()),
  pid: z.number().int().nullable(),
  error: ErrorInfo.nullable(),
});
export type RpcWorkerMode = z.infer<typeof RpcWorkerMode>;

// ---------- what a run is connected to ----------

/** Beside BackendStatus.model: what the run is (a vLLM install and name, a remote server, RPC workers used). */
export const BackendTarget = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('llama-cpp'),
    /** host:port of the RPC workers this run uses (empty: this machine only). */
    rpcWorkers: z.array(z.string()).default([]),
  }),
  z.object({
    kind: z.literal('vllm'),
    install: z.string(),
    servedName: z.string(),
    tensorParallelSize: z.number().int(),
    maxModelLen: z.number().int(),
  }),
  z.object({
    kind: z.literal('external'),
    serverId: z.string(),
    serverName: z.string(),
    url: z.string(),
    model: z.string(),
    flavor: RemoteFlavor,
  }),
]);
export type BackendTarget = z.infer<typeof BackendTarget>;
