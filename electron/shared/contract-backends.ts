/**
 * Contract of the backend kinds beyond llama.cpp (issue 15): vLLM (+ Ray), external OpenAI-compatible servers and
 * llama.cpp RPC workers. Spread into `methods` and `events` in contract.ts. Every kind runs behind the same Backend
 * interface, so `backend.status`, `backend.stop`, chat, the OpenAI proxy and the Monitor work the same for all.
 */
import { z } from 'zod';
import {
  RayCommands,
  RayHeadStatus,
  RayNodeInput,
  RemoteCheck,
  RemoteServer,
  RemoteServerInput,
  RemoteServerPatch,
  RpcHost,
  RpcPort,
  RpcWorker,
  RpcWorkerMode,
  RpcWorkerModeSettings,
  VllmDetection,
  VllmModel,
  VllmOptions,
  VllmPlan,
} from './backends';
import { BackendStatus, LoadOptions, patchOf, UserPath } from './schemas';

const empty = z.strictObject({});
const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });
const id = z.string().min(1).max(100);

const vllmStartParams = z.strictObject({
  /** A local snapshot folder (config.json + safetensors). */
  modelPath: UserPath,
  vllm: patchOf(VllmOptions).optional(),
  /** contextSize → --max-model-len (0: the model's own, capped to what fits), parallel → --max-num-seqs. */
  options: patchOf(LoadOptions).optional(),
});

export const backendKindMethods = {
  // vLLM
  /** Finds installed vLLMs (PATH, python -m vllm, venvs, conda, WSL2); cached, `refresh` looks again. */
  'vllm.detect': method(z.strictObject({ refresh: z.boolean().optional() }), VllmDetection),
  /** Reads a snapshot folder (config.json, shards) without loading it; VLLM_BAD_MODEL when it is not one. */
  'vllm.inspect': method(z.strictObject({ path: UserPath }), VllmModel),
  /** What `vllm serve` would run with, and whether it fits (weights + KV cache within the memory utilization). */
  'vllm.plan': method(vllmStartParams, VllmPlan),
  /** Starts vLLM under supervision (a running backend of any kind is stopped first); progress as backend.status. */
  'vllm.start': method(vllmStartParams, BackendStatus),
  /** The Ray head/worker commands for these machines (the first node is this one), and the serve command. */
  'vllm.rayCommands': method(
    z.strictObject({
      modelPath: UserPath,
      head: RayNodeInput,
      workers: z.array(RayNodeInput).min(1).max(63),
      vllm: patchOf(VllmOptions).optional(),
      options: patchOf(LoadOptions).optional(),
    }),
    RayCommands,
  ),
  'ray.status': method(empty, RayHeadStatus),
  /** Starts `ray start --head --block` under supervision with the chosen vLLM install's Python. */
  'ray.startHead': method(
    z.strictObject({ install: z.string().max(4200).optional(), port: RpcPort.optional() }),
    RayHeadStatus,
  ),
  'ray.stopHead': method(empty, RayHeadStatus),

  // External OpenAI-compatible servers
  'remote.list': method(empty, z.array(RemoteServer)),
  /** Checks a server before it is added: models, flavor, latency, certificate; problems in `error` (not thrown). */
  'remote.check': method(RemoteServerInput, RemoteCheck),
  /** Saves a server (the key in the keychain or a 0600 file) and checks it. REMOTE_BAD_URL for a URL we cannot use. */
  'remote.add': method(RemoteServerInput, RemoteServer),
  'remote.update': method(z.strictObject({ id, patch: RemoteServerPatch }), RemoteServer),
  'remote.remove': method(z.strictObject({ id }), z.object({ removed: z.boolean() })),
  /** Checks a saved server again (its models, its certificate). */
  'remote.refresh': method(z.strictObject({ id }), RemoteServer),
  /** Chats through this server's model from now on (a running backend is stopped first). */
  'remote.connect': method(z.strictObject({ id, model: z.string().min(1).max(500) }), BackendStatus),

  // llama.cpp RPC
  /** Workers on other machines (settings.rpc.workers) with their last check. */
  'rpc.workers': method(empty, z.array(RpcWorker)),
  /** Adds a worker by host:port and checks it (reachable, protocol version, memory it offers). */
  'rpc.addWorker': method(z.strictObject({ host: RpcHost, port: RpcPort }), RpcWorker),
  'rpc.removeWorker': method(z.strictObject({ id }), z.object({ removed: z.boolean() })),
  'rpc.setWorkerEnabled': method(z.strictObject({ id, enabled: z.boolean() }), RpcWorker),
  'rpc.checkWorker': method(z.strictObject({ id }), RpcWorker),
  /** This machine as a worker (ggml-rpc-server of the active runtime). */
  'rpc.workerMode': method(empty, RpcWorkerMode),
  /** Starts the worker with these settings (saved as settings.rpc.worker, enabled). */
  'rpc.startWorkerMode': method(patchOf(RpcWorkerModeSettings).omit({ enabled: true }), RpcWorkerMode),
  'rpc.stopWorkerMode': method(empty, RpcWorkerMode),
} as const;

export const backendKindEvents = {
  'vllm.detection': VllmDetection,
  'ray.status': RayHeadStatus,
  /** After any change of the server list or a check. */
  'remote.changed': z.array(RemoteServer),
  /** After a worker is added, removed, enabled or checked. */
  'rpc.workers': z.array(RpcWorker),
  'rpc.workerMode': RpcWorkerMode,
} as const;
