/** English strings of the 'gpus' section of the `backend` namespace (useBackendText). */
export const gpusEn = {} as const;
