import type { CatalogModel, CatalogQuant, FitPlan, ModelFit } from '@shared/models';
import { defaultContext, pickPlan } from '../models/fit';
import { useCatalog, useFitReport } from '../models/queries';
import { useWizard } from './store';

export interface Choice {
  model: CatalogModel;
  quant: CatalogQuant;
  fit: ModelFit | undefined;
  plan: FitPlan | null;
  /** True while the choice is the planner's own recommendation. */
  recommended: boolean;
}

/**
 * The model and quant the wizard will download: the user's pick, else the planner's recommendation, else the
 * first catalog model's smallest quant (no fit report: the probe failed).
 */
export function useChoice(): { choice: Choice | null; loading: boolean; error: unknown } {
  const catalog = useCatalog();
  const fit = useFitReport();
  const { modelId, quant } = useWizard();
  const models = catalog.data ?? [];
  const rec = fit.data?.recommended ?? null;
  const id = modelId ?? rec?.modelId ?? models[0]?.id;
  const model = models.find((m) => m.id === id);
  if (!model) return { choice: null, loading: catalog.isPending || fit.isPending, error: catalog.error ?? null };
  const mfit = fit.data?.models.find((f) => f.modelId === model.id);
  const quantId =
    quant ?? (rec && rec.modelId === model.id ? rec.plan.quant : mfit?.recommended?.quant) ?? smallest(model).id;
  const q = model.quants.find((x) => x.id === quantId) ?? smallest(model);
  const ctx = mfit?.recommended?.quant === q.id ? mfit.recommended.contextSize : defaultContext(mfit);
  const plan = mfit && ctx != null ? pickPlan(mfit.plans, q.id, ctx) : null;
  const recommended = modelId === null && quant === null && rec?.modelId === model.id;
  return {
    choice: { model, quant: q, fit: mfit, plan, recommended },
    loading: false,
    error: catalog.error ?? fit.error ?? null,
  };
}

const smallest = (m: CatalogModel) => [...m.quants].sort((a, b) => a.sizeBytes - b.sizeBytes)[0]!;
