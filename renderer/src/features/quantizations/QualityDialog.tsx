/** "Check quality" (issue 14 §2): perplexity, and KL-divergence against a higher-precision sibling. */
import { useQuantText } from '../../lib/useQuantText';

export interface QualityDialogProps {
  modelPath: string;
  onClose: () => void;
}

export function QualityDialog({ modelPath, onClose }: QualityDialogProps) {
  const q = useQuantText();
  return (
    <div className="modal-backdrop" role="presentation">
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={q('quality.title')}
        data-testid="quality-dialog"
      >
        <h2>{q('quality.title')}</h2>
        <p className="muted mono">{modelPath}</p>
        <button type="button" className="btn" onClick={onClose}>
          ×
        </button>
      </div>
    </div>
  );
}
