/** English strings of the 'spec' section of the `backend` namespace (useBackendText). */
export const specEn = {
  title: 'Speed up with speculative decoding',
  hint: 'Tokens are guessed ahead and the model checks several in one pass: the reply is the same, only faster when the guesses are kept.',
  mode: {
    off: 'Off',
    draft: 'A draft model',
    ngram: 'N-gram lookup',
    mtp: 'MTP (built into this model)',
  },
  modeHint: {
    off: 'Every token comes from one pass of the model.',
    draft:
      "A small model of the same family guesses; it needs its own memory. Checked before start: it must share this model's vocabulary and be smaller.",
    ngram: 'Guesses from the text so far: no extra memory. Good for code and edits that repeat what is already there.',
    mtp: "Uses this model's own next-token-prediction layers ({{n}}): no second model.",
  },
  mtpUnavailable: 'This model carries no MTP layers, so MTP is not offered for it.',
  draftPath: 'Draft model file',
  draftPlaceholder: 'Path of a small GGUF of the same family',
  suggested: 'Paired with this model in the catalog:',
  useSuggestion: 'Use {{name}} ({{size}})',
  notInstalled: '{{name}} — not installed yet (Models page)',
  noSuggestion: 'The catalog pairs no draft with this model: choose a smaller model of the same family.',
  ngramType: 'Lookup',
  ngram: {
    'ngram-simple': 'Simple: continue the last matching n-gram',
    'ngram-map-k': 'Map: the most frequent continuation',
    'ngram-map-k4v': 'Map (4 candidates per key)',
    'ngram-mod': 'Rolling hash over the whole context',
    'ngram-cache': 'Cache of n-grams seen so far',
  },
  draftMax: 'Tokens guessed per step (at most)',
  draftPMin: 'Least confidence to keep guessing (0–1)',
  stats: {
    accepted: '{{rate}} of {{drafted}} guessed tokens kept',
    acceptedTitle:
      'Speculative decoding: of the tokens guessed ahead, the share the model kept ({{accepted}} of {{drafted}}).',
    perPass: '{{x}} tokens per model pass',
    perPassTitle:
      'Tokens produced per pass of the model; without speculative decoding it is 1. This counts passes saved, not time: guessing and checking cost time too, so the speed-up is at most this. Tokens/s is the measured speed.',
  },
} as const;
