/** English strings of the 'clients' section of the `backend` namespace (useBackendText). */
export const clientsEn = {
  /** The load option (llama-server -np) and the same fact on the Model page once loaded. */
  label: 'Parallel requests',
  auto: 'Auto ({{n}})',
  custom: 'Set a number',
  hintAuto:
    'Serves {{n}} requests at once — the chat and apps on the API side by side — one per 2,048 tokens of context, at most 8. They share the whole context; more requests wait their turn.',
  hintCustom: 'Each of these slots gets an equal share of the context.',
} as const;
