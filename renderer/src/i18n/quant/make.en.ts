/** The `quant` namespace, section make (English). */
export const makeEn = {
  title: 'Make',
} as const;
