import { z } from 'zod';
import { ErrorInfo } from './errors';
import { AlertSettings, PowerSettings, ThermalGuardSettings } from './telemetry';
import { HubSettings } from './models';
import { RuntimeSettings } from './runtimes';
import { UpdateSettings, UpdateSettingsPatch } from './app-update';
import { BackendSettings, GpuOptions, Recovery, SpeculativeOptions } from './backend-options';
import { BackendKind, BackendTarget, RpcSettings, RpcWorkerModeSettings } from './backends';

/**
 * The patch form of an object schema: every field optional, with its default removed. zod 4 keeps `.default()` inside
 * `.partial()`, so `X.partial().parse({ a: 1 })` comes back with every other field at its default, and merging that
 * over saved values resets them.
 */
type NoDefault<S> = S extends z.ZodDefault<infer I> ? I : S;
export type PatchShape<T extends z.ZodRawShape> = { [K in keyof T]: z.ZodOptional<NoDefault<T[K]>> };
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>): z.ZodObject<PatchShape<T>, z.core.$strict> {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, s] of Object.entries(schema.shape))
    shape[k] = (s instanceof z.ZodDefault ? (s.unwrap() as z.ZodType) : (s as z.ZodType)).optional();
  return z.strictObject(shape) as unknown as z.ZodObject<PatchShape<T>, z.core.$strict>;
}

// ---------- models ----------

export const ModelFileInfo = z.object({
  path: z.string(),
  /** general.name, or the file name without extension. */
  name: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  architecture: z.string(),
  /** Human quantization label derived from general.file_type (e.g. "Q4_K_M"), if known. */
  quantization: z.string().nullable(),
  contextLength: z.number().int().nullable(),
  parameterCount: z.number().nullable(),
  tensorCount: z.number().int(),
  ggufVersion: z.number().int(),
  splitCount: z.number().int(),
  /** {arch}.nextn_predict_layers when > 0: the GGUF carries multi-token-prediction layers (speculative mode 'mtp'). */
  nextnLayers: z.number().int().positive().optional(),
});
export type ModelFileInfo = z.infer<typeof ModelFileInfo>;

// ---------- backend ----------

export const GpuLayers = z.union([z.literal('auto'), z.literal('all'), z.number().int().min(0).max(1000)]);

export const LoadOptions = z.object({
  /** 0 = the model's own training context. */
  contextSize: z.number().int().min(0).max(1_048_576).default(8192),
  gpuLayers: GpuLayers.default('auto'),
  flashAttention: z.enum(['auto', 'on', 'off']).default('auto'),
  /**
   * Parallel slots (llama-server -np) with continuous batching. 0 = auto: a count from the context (each slot can
   * still use all of it: the KV cache is unified), so the chat and an editor plug-in on the API are served side by side.
   */
  parallel: z.number().int().min(0).max(64).default(0),
  /** --cache-reuse: reuse cached prompt chunks of at least this many tokens across turns (KV shifting); 0 = off. */
  cacheReuse: z.number().int().min(0).max(65536).default(256),
  /** 0 = llama.cpp's default thread count. */
  threads: z.number().int().min(0).max(512).default(0),
  /** MoE models: keep the expert weights of the first N layers in RAM (llama-server --n-cpu-moe); 0 = none. */
  cpuMoeLayers: z.number().int().min(0).max(1000).default(0),
  cacheTypeK: z.enum(['f16', 'bf16', 'q8_0', 'q4_0']).default('f16'),
  cacheTypeV: z.enum(['f16', 'bf16', 'q8_0', 'q4_0']).default('f16'),
  reasoningFormat: z.enum(['auto', 'deepseek', 'none']).default('auto'),
  loadMode: z.enum(['auto', 'mmap', 'mlock', 'mmap+mlock', 'none']).default('auto'),
  /** llama-bench's batch / ubatch (-b / -ub); 0 = llama.cpp's default. Auto-tune sets them. */
  batch: z.number().int().min(0).max(65536).default(0),
  ubatch: z.number().int().min(0).max(65536).default(0),
  speculative: SpeculativeOptions.default(() => SpeculativeOptions.parse({})),
  gpus: GpuOptions.default(() => GpuOptions.parse({})),
  /**
   * llama.cpp RPC workers (host:port) this run offloads to (llama-server --rpc). Filled by the start step from
   * settings.rpc.workers (enabled ones whose check passes); the recovery drops a worker that was lost.
   */
  rpcServers: z
    .array(z.string().regex(/^[A-Za-z0-9.:[\]%-]{1,260}:\d{1,5}$/))
    .max(16)
    .default([]),
});
export type LoadOptions = z.infer<typeof LoadOptions>;
export const defaultLoadOptions = (): LoadOptions => LoadOptions.parse({});

export const BackendState = z.enum(['stopped', 'starting', 'loading', 'ready', 'stopping', 'crashed']);
export type BackendState = z.infer<typeof BackendState>;

export const BackendStatus = z.object({
  state: BackendState,
  /** Increments with every status change: a client keeps the status with the highest seq (events vs fetches). */
  seq: z.number().int(),
  /** Increments with every start, so a client can tell one run from the next. */
  runId: z.number().int(),
  model: ModelFileInfo.nullable(),
  options: LoadOptions.nullable(),
  /** 0..1 while loading (from llama.cpp's load progress), null when unknown. */
  progress: z.number().min(0).max(1).nullable(),
  phase: z.enum(['spawning', 'loading', 'warming', 'ready']).nullable(),
  pid: z.number().int().nullable(),
  startedAt: z.number().nullable(),
  readyAt: z.number().nullable(),
  /** Set in state "crashed" (and kept after a failed start). */
  error: ErrorInfo.nullable(),
  binaryPath: z.string().nullable(),
  /** Self-healing supervision: why the run restarted or stepped down, and what happens next; null: never needed. */
  recovery: Recovery.nullable().default(null),
  /** What runs the model (issue 15): llama-server, a supervised vLLM, or an external server. */
  kind: BackendKind.default('llama-cpp'),
  /** Details of the run's kind (RPC workers used, the vLLM install, the remote server); null when nothing runs. */
  target: BackendTarget.nullable().default(null),
});
export type BackendStatus = z.infer<typeof BackendStatus>;

export const LogLine = z.object({
  seq: z.number().int(),
  ts: z.number(),
  stream: z.enum(['stdout', 'stderr', 'app']),
  text: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

// ---------- chat ----------

export const ChatMessage = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().max(4_000_000),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export const SamplingParams = z.object({
  temperature: z.number().min(0).max(5).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).max(1000).optional(),
  min_p: z.number().min(0).max(1).optional(),
  repeat_penalty: z.number().min(0).max(5).optional(),
  max_tokens: z.number().int().min(1).max(1_000_000).optional(),
  seed: z.number().int().optional(),
});
export type SamplingParams = z.infer<typeof SamplingParams>;

export const ChatTimings = z.object({
  /** Tokens of the prompt. In a conversation reply: all of them, those reused from the backend's cache included. */
  promptTokens: z.number(),
  /** Of promptTokens, those reused from the backend's prompt cache (not processed again, not in promptMs). */
  cachedTokens: z.number().optional(),
  promptMs: z.number(),
  predictedTokens: z.number(),
  predictedMs: z.number(),
  tokensPerSecond: z.number(),
  /** Time to first token (content or reasoning) as seen by DeepLocal, from request to first delta. */
  ttftMs: z.number(),
  /** Speculative decoding: tokens drafted and of those accepted (llama-server timings.draft_n / draft_n_accepted). */
  draftTokens: z.number().optional(),
  draftAccepted: z.number().optional(),
});
export type ChatTimings = z.infer<typeof ChatTimings>;

export const ChatEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('delta'),
    requestId: z.string(),
    content: z.string().optional(),
    reasoning: z.string().optional(),
  }),
  z.object({
    type: z.literal('done'),
    requestId: z.string(),
    finishReason: z.string().nullable(),
    /** True when the user stopped the reply. */
    cancelled: z.boolean(),
    timings: ChatTimings.nullable(),
  }),
  z.object({ type: z.literal('error'), requestId: z.string(), error: ErrorInfo }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;

// ---------- conversations ----------

export const ConversationId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const StoredMessage = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string().max(4_000_000),
  reasoning: z.string().max(4_000_000).optional(),
  stopped: z.boolean().optional(),
  timings: ChatTimings.nullable().optional(),
  error: ErrorInfo.nullable().optional(),
  finishReason: z.string().nullable().optional(),
  reasoningMs: z.number().nullable().optional(),
});
export type StoredMessage = z.infer<typeof StoredMessage>;

export const Conversation = z.object({
  id: ConversationId,
  title: z.string().max(200),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Name of the model the conversation was last continued with. */
  model: z.string().nullable(),
  messages: z.array(StoredMessage).max(100_000),
});
export type Conversation = z.infer<typeof Conversation>;

export const ConversationSummary = Conversation.pick({
  id: true,
  title: true,
  createdAt: true,
  updatedAt: true,
  model: true,
}).extend({
  messageCount: z.number().int(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

// ---------- settings & app ----------

export const Language = z.enum(['system', 'en', 'zh-CN']);
export const Theme = z.enum(['system', 'light', 'dark']);

/** Longest path a setting may hold (Linux PATH_MAX; Windows long paths are shorter in practice). */
export const MAX_PATH_SETTING = 4096;

/**
 * A path in settings: absolute on some platform (`/…`, `C:\…`, `\\server\share`), or `~` / `~/…` for the home folder
 * (expanded when saved). A relative path would resolve against whatever folder the process happened to start in.
 * No control characters (a NUL cuts the path short below Node). The core checks again for its own platform.
 */
export const PathSetting = z
  .string()
  .min(1)
  .max(MAX_PATH_SETTING)
  // eslint-disable-next-line no-control-regex
  .refine((p) => !/[\u0000-\u001f]/.test(p), { message: 'must not contain control characters' })
  .refine((p) => /^(~(?=$|[\\/])|\/|[A-Za-z]:[\\/]|\\\\[^\\])/.test(p.trim()), {
    message: 'must be an absolute path (or start with ~)',
  });

/** A file the user names (inspect, load, import): the same rules as a path setting; `~` is expanded by the core. */
export const UserPath = PathSetting;

export const SetupWizardState = z.enum(['pending', 'done', 'dismissed']);
export type SetupWizardState = z.infer<typeof SetupWizardState>;

/** The chat (issue 13). */
export const ChatSettings = z.object({
  /** A short request to the loaded model names a conversation after its first exchange. */
  autoTitle: z.boolean().default(true),
  /** The preset a new conversation starts with, unless the model has its own below. */
  defaultPresetId: z.string().max(64).default('deepseek-r1'),
  /** Model file name → preset id. */
  presetByModel: z.record(z.string().max(500), z.string().max(64)).default({}),
});
export type ChatSettings = z.infer<typeof ChatSettings>;

/** The API for other programs (issue 13): Ollama-compatible server, LAN mode, just-in-time loading. */
export const ApiSettings = z.object({
  ollamaEnabled: z.boolean().default(false),
  ollamaPort: z.number().int().min(1).max(65535).default(11434),
  /** Origins allowed besides loopback ones (Ollama's OLLAMA_ORIGINS): exact origins or `*` wildcards. */
  ollamaOrigins: z.array(z.string().min(1).max(300)).max(50).default([]),
  lanEnabled: z.boolean().default(false),
  /** Addresses to listen on (an interface's IPv4/IPv6 address, or 0.0.0.0 for all). */
  lanAddresses: z.array(z.string().min(1).max(100)).max(20).default(['0.0.0.0']),
  lanPort: z.number().int().min(1).max(65535).default(8443),
  /** Web origins allowed to call the API from a browser (CORS). */
  corsOrigins: z.array(z.string().min(1).max(300)).max(50).default([]),
  /** A request naming an installed model that is not loaded loads it. */
  jitEnabled: z.boolean().default(true),
  /** Unload a model loaded for the API after this many idle minutes (0 = never). */
  jitIdleMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(30),
});
export type ApiSettings = z.infer<typeof ApiSettings>;

export const Settings = z.object({
  language: Language.default('system'),
  theme: Theme.default('system'),
  recentModels: z.array(z.string().max(MAX_PATH_SETTING)).max(20).default([]),
  loadOptions: LoadOptions.default(defaultLoadOptions),
  sampling: SamplingParams.default({ temperature: 0.6, top_p: 0.95 }),
  /** Overrides the bundled llama-server. */
  llamaServerPath: z.string().max(MAX_PATH_SETTING).nullable().default(null),
  power: PowerSettings.default(() => PowerSettings.parse({})),
  thermalGuard: ThermalGuardSettings.default(() => ThermalGuardSettings.parse({})),
  alerts: AlertSettings.default(() => AlertSettings.parse({})),
  /** Download endpoints and connections. */
  hub: HubSettings.default(() => HubSettings.parse({})),
  /** Where models are downloaded to; null = <data folder>/models. */
  modelsDir: z.string().min(1).max(4096).nullable().default(null),
  /** The first-run setup wizard: opens by itself only while 'pending' (finished: 'done'; skipped: 'dismissed'). */
  setupWizard: SetupWizardState.default('pending'),
  /** llama.cpp runtimes: which one is active, the release feed, updates, user folders. */
  runtime: RuntimeSettings.default(() => RuntimeSettings.parse({})),
  /** Updates of the desktop app (electron-updater; the browser shell has none). */
  updates: UpdateSettings.default(() => UpdateSettings.parse({})),
  /** Self-healing supervision of the backend (restarts, out-of-memory ladder, reload at start). */
  backend: BackendSettings.default(() => BackendSettings.parse({})),
  chat: ChatSettings.default(() => ChatSettings.parse({})),
  api: ApiSettings.default(() => ApiSettings.parse({})),
  /** llama.cpp RPC: workers on other machines, and this machine as a worker. */
  rpc: RpcSettings.default(() => RpcSettings.parse({})),
});
export type Settings = z.infer<typeof Settings>;

/** What settings.update takes: only known fields (an unknown one is INVALID_PARAMS naming it), bounded, paths absolute. */
export const SettingsPatch = z.strictObject({
  language: Language.optional(),
  theme: Theme.optional(),
  loadOptions: patchOf(LoadOptions).optional(),
  sampling: z.strictObject(SamplingParams.shape).optional(),
  llamaServerPath: PathSetting.nullable().optional(),
  power: patchOf(PowerSettings).optional(),
  thermalGuard: patchOf(ThermalGuardSettings).optional(),
  alerts: patchOf(AlertSettings).optional(),
  hub: patchOf(HubSettings).optional(),
  modelsDir: PathSetting.nullable().optional(),
  setupWizard: SetupWizardState.optional(),
  runtime: z
    .strictObject({
      active: z
        .string()
        .regex(/^(auto|[A-Za-z0-9._-]{1,120})$/)
        .optional(),
      releaseEndpoint: z
        .url({ protocol: /^https?$/ })
        .max(2000)
        .nullable()
        .optional(),
      autoUpdate: z.boolean().optional(),
      folders: z.array(PathSetting).max(20).optional(),
    })
    .optional(),
  updates: UpdateSettingsPatch.optional(),
  backend: patchOf(BackendSettings).optional(),
  chat: patchOf(ChatSettings).optional(),
  api: patchOf(ApiSettings).optional(),
  /** The worker list is changed through rpc.addWorker / rpc.removeWorker (they check it); here only worker mode. */
  rpc: z.strictObject({ worker: patchOf(RpcWorkerModeSettings).optional() }).optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** "electron" when the renderer runs in the desktop window, "browser" for the headless server. */
  shell: z.enum(['electron', 'browser']),
  platform: z.string(),
  arch: z.string(),
  systemLocale: z.string(),
  dataDir: z.string(),
  backend: z.object({ found: z.boolean(), path: z.string(), variant: z.string().nullable() }),
  /** The OpenAI-compatible base URL other programs can use (headless only). */
  apiBaseUrl: z.string().nullable(),
  /**
   * How GPU power limits are changed: directly (running as root / administrator), through a password or UAC prompt
   * each time (pkexec / uac), or not at all (manual: the error gives the command to run).
   */
  powerControl: z.enum(['direct', 'pkexec', 'uac', 'manual']),
});
export type AppInfo = z.infer<typeof AppInfo>;
