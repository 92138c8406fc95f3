import { useId } from 'react';
import { resolveParallel } from '@shared/parallel-slots';
import type { LoadOptions } from '@shared/schemas';
import { NumberField } from '../../components/NumberField';
import { useBackendText } from '../../lib/useBackendText';

/** "Auto (4)" for parallel 0 (the count the core will run for this context), else the set count. */
export function useParallelLabel(): (o: Pick<LoadOptions, 'parallel' | 'contextSize'>) => string {
  const tb = useBackendText();
  return (o) => (o.parallel === 0 ? tb('clients.auto', { n: resolveParallel(o) }) : String(o.parallel));
}

/**
 * Parallel requests (llama-server -np): auto, which shows the count it will run for the chosen context (one slot
 * per 2048 tokens, 1 to 8, sharing one KV pool: shared/parallel-slots.ts), or a number of slots that split the context.
 */
export function ParallelField({
  value,
  onChange,
}: {
  value: Pick<LoadOptions, 'parallel' | 'contextSize'>;
  onChange: (parallel: number) => void;
}) {
  const tb = useBackendText();
  const id = useId();
  const auto = resolveParallel({ parallel: 0, contextSize: value.contextSize });
  return (
    <div className="field">
      <label htmlFor={`${id}-np`}>{tb('clients.label')}</label>
      <div className="inline">
        <select
          id={`${id}-np`}
          className="select"
          data-testid="parallel-mode"
          value={value.parallel === 0 ? 'auto' : 'custom'}
          // A set count starts from what auto would run, so switching changes nothing until the number does.
          onChange={(e) => onChange(e.target.value === 'auto' ? 0 : auto)}
        >
          <option value="auto">{tb('clients.auto', { n: auto })}</option>
          <option value="custom">{tb('clients.custom')}</option>
        </select>
        {value.parallel > 0 && (
          <NumberField
            className="input input-narrow"
            testId="parallel-count"
            value={value.parallel}
            min={1}
            max={64}
            onChange={(v) => onChange(v ?? 1)}
          />
        )}
      </div>
      <p className="hint">{value.parallel === 0 ? tb('clients.hintAuto', { n: auto }) : tb('clients.hintCustom')}</p>
    </div>
  );
}
