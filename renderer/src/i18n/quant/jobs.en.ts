/** The `quant` namespace, section jobs (English). */
export const jobsEn = {
  title: 'Jobs',
} as const;
