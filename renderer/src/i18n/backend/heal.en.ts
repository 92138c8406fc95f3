/** English strings of the 'heal' section of the `backend` namespace (useBackendText). */
export const healEn = {
  /** What ended the run, as the start of a sentence. */
  cause: {
    oom: 'Backend crashed (out of memory)',
    crashed: 'Backend crashed',
    exited: 'Backend exited unexpectedly',
    hung: 'Backend stopped answering',
    other: 'Backend failed',
  },
  /** The same, short, inside brackets: "context 32768 → 16384 (out of memory)". */
  because: {
    oom: 'out of memory',
    crashed: 'crash',
    exited: 'exited',
    hung: 'not answering',
    other: 'error',
  },
  restarting: '{{cause}} — restarting in {{seconds}} s {{try}}',
  restartingNow: '{{cause}} — restarting now {{try}}',
  /** Which try: of the allowed ones, or past them (the out-of-memory ladder goes on while it has steps left). */
  try: { of: '(try {{attempt}} of {{max}})', n: '(try {{attempt}})' },
  restarted: {
    oom: 'Restarted after running out of memory',
    crashed: 'Restarted after a crash',
    exited: 'Restarted after it exited',
    hung: 'Restarted after it stopped answering',
    other: 'Restarted after a failure',
  },
  gaveUp: 'Gave up after {{attempt}} tries: {{reason}}',
  couldNotRestart: 'Could not restart: {{reason}}',
  restarts: 'Restarts since you started the model: {{n}}',
  /** Short forms for the status bar. */
  pillCause: {
    oom: 'Out of memory',
    crashed: 'Crashed',
    exited: 'Exited',
    hung: 'Not answering',
    other: 'Failed',
  },
  pill: {
    restarting: '{{cause}} — restarting in {{seconds}} s {{try}}',
    restartingNow: '{{cause}} — restarting {{try}}',
    try: { of: '({{attempt}}/{{max}})', n: '(#{{attempt}})' },
    restarted: 'Restarted',
    gaveUp: 'Gave up after {{attempt}} tries',
  },
  retry: 'Retry',
  retrying: 'Retrying…',
  stepsTitle: 'Stepped down to fit in memory',
  step: '{{what}} {{from}} → {{to}} ({{because}})',
  what: {
    context: 'context',
    'kv-cache': 'KV cache',
    'gpu-layers': 'GPU layers',
    'cpu-only': 'CPU only',
  },
  keep: 'Keep these settings for this model',
  keepHint: 'These settings load fine. Keep them as this model’s defaults on this computer?',
  kept: 'Saved as this model’s defaults.',
  /** Chat: a reply cut short by the backend. */
  interrupted: {
    restarted: 'Interrupted — backend restarted',
    restarting: 'Interrupted — backend restarting…',
    stopped: 'Interrupted — backend stopped',
    retry: 'Retry',
    retryWhenReady: 'Retry when ready',
    queued: 'Will retry when the backend is ready…',
    retryTitle: 'Ask again: the same question, and this reply is replaced',
  },
  /** Settings → Backend supervision. */
  settings: {
    title: 'Crash recovery',
    hint: 'What the app does when llama-server crashes, runs out of memory or stops answering.',
    autoRestart: 'Restart automatically after a crash or hang',
    oomLadder: 'After running out of memory, step down (smaller context, quantized KV cache, fewer GPU layers, CPU)',
    reloadLastModel: 'Reload the last model when the app starts',
    reloadDefault: 'Default',
    reloadDefaultOn: 'Default (on in the desktop app)',
    reloadDefaultOff: 'Default (off in the headless app)',
    on: 'On',
    off: 'Off',
    hangTimeout: 'Hang timeout (seconds)',
    hangTimeoutHint: 'A running backend silent this long is replaced.',
    minContext: 'Smallest context when stepping down',
  },
} as const;
