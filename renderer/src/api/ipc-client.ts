import type { ContractClient, DeepLocalBridge, EventName, EventPayload, MethodName, ParamsIn, Result } from '../../../electron/shared/contract';
import { AppError } from '../../../electron/shared/errors';

/** Adapts the preload's envelope-returning bridge to the contract client: errors come back as AppError. */
export function ipcClient(bridge: DeepLocalBridge): ContractClient {
  return {
    async call<M extends MethodName>(method: M, params: ParamsIn<M>): Promise<Result<M>> {
      const env = await bridge.invoke(method, params);
      if (!env.ok) throw AppError.from(env.error);
      return env.result as Result<M>;
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return bridge.on(event, listener as (payload: unknown) => void);
    },
  };
}
