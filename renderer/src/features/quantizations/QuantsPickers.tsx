import type { LibraryModel } from '@shared/models';
import type { EvalTextId } from '@shared/quant';
import { useQuantText } from '../../lib/useQuantText';

const TEXTS: readonly EvalTextId[] = ['en', 'zh-CN'];

/** Which model to compare (library models) and which text the quality figures are on. */
export function QuantsPickers({
  models,
  modelPath,
  onModel,
  text,
  onText,
}: {
  models: readonly LibraryModel[];
  modelPath: string | null;
  onModel: (path: string) => void;
  text: EvalTextId;
  onText: (t: EvalTextId) => void;
}) {
  const t = useQuantText();
  const sorted = [...models].sort((a, b) => a.name.localeCompare(b.name) || a.path.localeCompare(b.path));
  return (
    <div className="qz-pickers">
      <div className="field qz-model-field">
        <label htmlFor="quants-model">{t('compare.model')}</label>
        <select
          id="quants-model"
          className="select"
          data-testid="quants-model"
          value={modelPath ?? ''}
          onChange={(e) => onModel(e.target.value)}
        >
          {sorted.map((m) => (
            <option key={m.id} value={m.path}>
              {m.quantization && !m.name.includes(m.quantization) ? `${m.name} (${m.quantization})` : m.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="quants-text">{t('compare.text')}</label>
        <select
          id="quants-text"
          className="select"
          data-testid="quants-text"
          value={text}
          onChange={(e) => onText(e.target.value === 'zh-CN' ? 'zh-CN' : 'en')}
        >
          {TEXTS.map((id) => (
            <option key={id} value={id}>
              {t(`compare.texts.${id}`)}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
