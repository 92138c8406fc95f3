/**
 * "Make a smaller version": which types to list, which warnings disable what, the importance-matrix choice, disk
 * space and the request. Pure functions, tested in make-view.test.ts; the dialog only renders their answers.
 */
import type {
  EvalTextId,
  ImatrixChoice,
  QuantizeRequest,
  QuantOption,
  QuantPlan,
  QuantType,
  QuantWarning,
} from '@shared/quant';
import { UserPath } from '@shared/schemas';
import { makeEn } from '../../i18n/quant/make.en';

/** Types with their own plain-language description in make.{en,zh-CN}.ts (`make.types.<ID>`). */
export type DescribedType = keyof typeof makeEn.types;
const DESCRIBED = new Set(Object.keys(makeEn.types));
export const isDescribed = (id: string): id is DescribedType => DESCRIBED.has(id);

/** llama-quantize also lists aliases ("Q4_K": "alias for Q4_K_M") and COPY (no quantizing): not choices here. */
export function isListedType(t: Pick<QuantType, 'id' | 'toolNote'>): boolean {
  return t.id.toUpperCase() !== 'COPY' && !/^\s*alias for\b/i.test(t.toolNote);
}

/** Biggest (best quality) first; unknown sizes last, in the tool's order. */
export function sortOptions<T extends QuantOption>(types: readonly T[]): T[] {
  return types
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => isListedType(t))
    .sort((a, b) => (b.t.bitsPerWeight ?? -1) - (a.t.bitsPerWeight ?? -1) || a.i - b.i)
    .map(({ t }) => t);
}

/** Why a type cannot be ticked, or null: the source's own type never; a low-bit source only after "requantize anyway". */
export function blockedBy(o: Pick<QuantOption, 'warnings'>, allowRequantize: boolean): QuantWarning | null {
  if (o.warnings.includes('same-type')) return 'same-type';
  if (o.warnings.includes('requantize') && !allowRequantize) return 'requantize';
  return null;
}

export const needsImatrix = (o: Pick<QuantOption, 'needsImatrix' | 'warnings'>) =>
  o.needsImatrix || o.warnings.includes('needs-imatrix');

/** The source is below Q8_0: every choice is a requantization (the dialog shows the checkbox and the warning). */
export const isLowBitSource = (plan: Pick<QuantPlan, 'source' | 'types'>) =>
  !plan.source.highPrecision || plan.types.some((o) => o.warnings.includes('requantize'));

export type ImatrixMode = ImatrixChoice['mode'];
export interface MakeForm {
  selected: readonly string[];
  allowRequantize: boolean;
  imatrix: { mode: ImatrixMode; text: EvalTextId; path: string };
}

/** Ticking or unticking a type; ticking one that needs an importance matrix while "none" is chosen picks "compute". */
export function toggleType(form: MakeForm, o: QuantOption, on: boolean): MakeForm {
  const selected = on ? [...new Set([...form.selected, o.id])] : form.selected.filter((id) => id !== o.id);
  const imatrix =
    on && needsImatrix(o) && form.imatrix.mode === 'none'
      ? { ...form.imatrix, mode: 'compute' as const }
      : form.imatrix;
  return { ...form, selected, imatrix };
}

/** The selected options that can really be started (a type unticked by a later change is dropped). */
export function chosenOptions(plan: QuantPlan, form: MakeForm): QuantOption[] {
  return plan.types.filter((o) => form.selected.includes(o.id) && blockedBy(o, form.allowRequantize) === null);
}

/** The expected total size of the chosen types, and how many of them have no estimate. */
export function sizeTotal(chosen: readonly QuantOption[]): { bytes: number; unknown: number } {
  return chosen.reduce(
    (a, o) => (o.expectedBytes == null ? { ...a, unknown: a.unknown + 1 } : { ...a, bytes: a.bytes + o.expectedBytes }),
    { bytes: 0, unknown: 0 },
  );
}

/** short: the results cannot fit; tight: under 10 % of the free space would be left; unknown: the OS did not say. */
export type DiskVerdict = 'ok' | 'tight' | 'short' | 'unknown';
export function diskVerdict(needBytes: number, freeBytes: number | null): DiskVerdict {
  if (freeBytes == null) return 'unknown';
  if (needBytes > freeBytes) return 'short';
  if (needBytes > freeBytes * 0.9) return 'tight';
  return 'ok';
}

export type StartProblem = 'nothing-selected' | 'needs-imatrix' | 'imatrix-file' | 'disk';

/** Everything that stops Start, in the order the dialog says them. */
export function startProblems(plan: QuantPlan, form: MakeForm): StartProblem[] {
  const chosen = chosenOptions(plan, form);
  const out: StartProblem[] = [];
  if (chosen.length === 0) out.push('nothing-selected');
  if (form.imatrix.mode === 'none' && chosen.some(needsImatrix)) out.push('needs-imatrix');
  if (form.imatrix.mode === 'file' && !UserPath.safeParse(form.imatrix.path.trim()).success) out.push('imatrix-file');
  if (diskVerdict(sizeTotal(chosen).bytes, plan.freeDiskBytes) === 'short') out.push('disk');
  return out;
}

/** The chosen types that need an importance matrix (named in the dialog's note). */
export const imatrixTypes = (plan: QuantPlan, form: MakeForm) =>
  chosenOptions(plan, form)
    .filter(needsImatrix)
    .map((o) => o.id);

export function imatrixChoice(form: MakeForm): ImatrixChoice {
  const m = form.imatrix;
  if (m.mode === 'compute') return { mode: 'compute', text: m.text };
  if (m.mode === 'file') return { mode: 'file', path: m.path.trim() };
  return { mode: 'none' };
}

/** What quant.start gets; null while a start problem remains. */
export function buildRequest(plan: QuantPlan, form: MakeForm): QuantizeRequest | null {
  if (startProblems(plan, form).length > 0) return null;
  const chosen = chosenOptions(plan, form);
  return {
    modelPath: plan.source.path,
    types: chosen.map((o) => o.id),
    imatrix: imatrixChoice(form),
    ...(chosen.some((o) => o.warnings.includes('requantize')) ? { allowRequantize: true } : {}),
  };
}

/** The calibration text to preselect: the one in the UI language when bundled, else the first. */
export function defaultText(texts: readonly { id: EvalTextId }[], uiLanguage: string): EvalTextId {
  const want: EvalTextId = uiLanguage.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  return texts.some((t) => t.id === want) ? want : (texts[0]?.id ?? 'en');
}

export const initialForm = (plan: Pick<QuantPlan, 'texts'>, uiLanguage: string): MakeForm => ({
  selected: [],
  allowRequantize: false,
  imatrix: { mode: 'none', text: defaultText(plan.texts, uiLanguage), path: '' },
});

/** Whether an existing imatrix file of this model already covers a text ("computed before, reused"). */
export const hasImatrixFor = (plan: Pick<QuantPlan, 'imatrixFiles'>, text: EvalTextId) =>
  plan.imatrixFiles.some((f) => f.text === text);
