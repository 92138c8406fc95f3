/** Contract client over the preload's bridge: envelopes become results or AppErrors. */
import type {
  ContractClient,
  DeepLocalBridge,
  EventName,
  EventPayload,
  MethodName,
  ParamsIn,
  Result,
} from './contract';
import { AppError } from './errors';

export function ipcClient(bridge: DeepLocalBridge): ContractClient {
  return {
    async call<M extends MethodName>(method: M, params: ParamsIn<M>): Promise<Result<M>> {
      const env = await bridge.invoke(method, params);
      if (!env.ok) throw AppError.from(env.error);
      return env.result as Result<M>;
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void, topic?: string): () => void {
      return topic === undefined
        ? bridge.on(event, listener as (payload: unknown) => void)
        : bridge.on(event, listener as (payload: unknown) => void, topic);
    },
  };
}
