import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelFileInfo } from '@shared/schemas';
import { formatBytes, formatCount, formatParams } from '../../lib/format';

/**
 * Facts from the GGUF header (or a vLLM checkpoint's config), as a row of labelled values (and `extra` ones about the
 * loaded run). A model on an external server has no file here: its server instead of architecture and size.
 */
export function ModelFacts({
  model,
  context,
  extra = [],
  server,
}: {
  model: ModelFileInfo;
  context?: number | null;
  extra?: [string, ReactNode][];
  /** The external server's name, when the model runs there. */
  server?: string;
}) {
  const { t, i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const facts: [string, ReactNode][] = server
    ? [[t('model.info.server'), server]]
    : [
        [t('model.info.arch'), model.architecture],
        [t('model.info.quant'), model.quantization ?? t('common.unknown')],
        [t('model.info.size'), formatBytes(model.sizeBytes, lng)],
      ];
  if (model.parameterCount) facts.push([t('model.info.params'), formatParams(model.parameterCount)]);
  const ctx = context ?? model.contextLength;
  if (ctx) facts.push([context ? t('model.info.context') : t('model.info.trainedContext'), formatCount(ctx, lng)]);
  if (model.splitCount > 1) facts.push([t('model.info.splits'), String(model.splitCount)]);
  facts.push(...extra);
  return (
    <dl className="facts">
      {facts.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
