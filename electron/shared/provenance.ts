/**
 * Where a model the app made came from (issue 14): recorded in library.json when llama-quantize's result is
 * installed, and shown in the library. Apart from quant.ts so the library's schema (models.ts) can use it.
 */
import { z } from 'zod';

/** A quantization type as llama-quantize spells it (Q4_K_M, IQ2_XXS, Q8_0, F16, TQ1_0 …). */
export const QuantTypeId = z.string().regex(/^[A-Za-z0-9_]{1,24}$/);
export type QuantTypeId = z.infer<typeof QuantTypeId>;

/** The bundled evaluation / calibration texts (resources/eval-texts): English and Chinese. */
export const EvalTextId = z.enum(['en', 'zh-CN']);
export type EvalTextId = z.infer<typeof EvalTextId>;

export const Provenance = z.object({
  kind: z.literal('quantized'),
  sourcePath: z.string(),
  sourceName: z.string(),
  sourceSha256: z.string().nullable(),
  sourceType: z.string().nullable(),
  type: QuantTypeId,
  imatrix: z
    .object({
      kind: z.enum(['computed', 'file']),
      path: z.string(),
      sha256: z.string().nullable(),
      text: EvalTextId.nullable(),
    })
    .nullable(),
  allowRequantize: z.boolean(),
  /** The llama.cpp build of the llama-quantize that made it. */
  llamaBuild: z.string(),
  createdAt: z.number(),
});
export type Provenance = z.infer<typeof Provenance>;
