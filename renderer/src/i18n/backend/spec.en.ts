/** English strings of the 'spec' section of the `backend` namespace (useBackendText). */
export const specEn = {} as const;
