import { useState } from 'react';
import type { LibraryModel } from '@shared/models';
import { useQuantText } from '../../lib/useQuantText';
import { useUi } from '../../stores/ui';
import { MakeDialog } from '../quant/MakeDialog';
import { QualityDialog } from '../quantizations/QualityDialog';
import { isLowBitType } from './quant-buttons';

/** A library row's quantization buttons: make a smaller version, check quality, open its Quantizations page. */
export function QuantActions({ model }: { model: LibraryModel }) {
  const t = useQuantText();
  const [open, setOpen] = useState<'make' | 'quality' | null>(null);
  const setQuantsModelPath = useUi((s) => s.setQuantsModelPath);
  const setView = useUi((s) => s.setView);
  const broken = !!model.error;
  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        data-testid="library-make-smaller"
        disabled={broken}
        title={isLowBitType(model.quantization) ? t('make.library.makeSmallerLowBit') : undefined}
        onClick={() => setOpen('make')}
      >
        {t('make.library.makeSmaller')}
      </button>
      <button
        type="button"
        className="btn btn-small"
        data-testid="library-check-quality"
        disabled={broken}
        onClick={() => setOpen('quality')}
      >
        {t('make.library.checkQuality')}
      </button>
      <button
        type="button"
        className="btn btn-small"
        data-testid="library-quants"
        onClick={() => {
          setQuantsModelPath(model.path);
          setView('quants');
        }}
      >
        {t('make.library.quants')}
      </button>
      {open === 'make' && <MakeDialog modelPath={model.path} onClose={() => setOpen(null)} />}
      {open === 'quality' && <QualityDialog modelPath={model.path} onClose={() => setOpen(null)} />}
    </>
  );
}
