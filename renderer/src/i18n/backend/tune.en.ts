/** English strings of the 'tune' section of the `backend` namespace (useBackendText). */
export const tuneEn = {} as const;
