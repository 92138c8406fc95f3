/**
 * Runtimes feature wiring (llama.cpp builds per variant). PLACEHOLDER while the runtime manager is being built in
 * this change: every method answers UNSUPPORTED. Replaced by the manager's handlers before the change lands.
 */
import type { Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';

type RuntimeHandlers = Pick<Handlers, Extract<keyof Handlers, `runtimes.${string}`>>;

const unsupported = async (): Promise<never> => {
  throw new AppError('UNSUPPORTED', { what: 'runtimes' });
};

export function runtimeHandlersPlaceholder(): RuntimeHandlers {
  return {
    'runtimes.list': unsupported,
    'runtimes.available': unsupported,
    'runtimes.get': unsupported,
    'runtimes.cancel': unsupported,
    'runtimes.use': unsupported,
    'runtimes.check': unsupported,
    'runtimes.remove': unsupported,
    'runtimes.addFolder': unsupported,
    'runtimes.update': unsupported,
  };
}
