import { useTranslation } from 'react-i18next';
import type { Provenance } from '@shared/provenance';
import { useQuantText } from '../../lib/useQuantText';
import { imatrixPart, shortBuild } from './provenance';

/** "Made from <source> (<type>) as <type>, importance matrix …, llama.cpp <build>, <date>"; hashes in the tooltip. */
export function ProvenanceLine({ p }: { p: Provenance }) {
  const t = useQuantText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const im = imatrixPart(p);
  const imatrix =
    im.kind === 'none'
      ? t('make.library.imatrixNone')
      : im.kind === 'computed'
        ? t('make.library.imatrixComputed', { text: t(`make.texts.${im.text}`) })
        : t('make.library.imatrixFile', { file: im.file });
  const type = p.allowRequantize ? `${p.type} (${t('make.library.provenanceRequantized')})` : p.type;
  const details = [
    t('make.library.sourcePath', { path: p.sourcePath }),
    p.sourceSha256 ? t('make.library.sourceSha', { sha: p.sourceSha256 }) : t('make.library.sourceShaUnknown'),
    ...(p.imatrix?.sha256 ? [t('make.library.imatrixSha', { sha: p.imatrix.sha256 })] : []),
    `llama.cpp ${p.llamaBuild}`,
  ].join('\n');
  return (
    <div className="library-provenance small muted" data-testid="library-provenance" title={details}>
      {t('make.library.provenance', {
        source: p.sourceName,
        sourceType: p.sourceType ?? t('make.typeUnknown'),
        type,
        imatrix,
        build: shortBuild(p.llamaBuild),
        date: new Intl.DateTimeFormat(lng, { dateStyle: 'medium' }).format(p.createdAt),
      })}
    </div>
  );
}
