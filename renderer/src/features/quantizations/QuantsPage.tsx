/** The Quantizations page (`#/quants`, issue 14 §3): every quantization of a model side by side. */
import { useQuantText } from '../../lib/useQuantText';

export function QuantsPage() {
  const q = useQuantText();
  return (
    <div className="page" data-testid="quants-page">
      <h1>{q('compare.title')}</h1>
    </div>
  );
}
