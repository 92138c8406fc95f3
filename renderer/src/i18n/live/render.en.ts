/** The `live` namespace, section render (issue 13): Markdown, math, pages loaded on first use. */
export const renderEn = {
  /** Shown (to screen readers, and as a quiet line) while a page's code loads the first time it is opened. */
  loadingPage: 'Loading…',
  /** A page's code could not be fetched (the server went away); the button tries again. */
  pageFailed: 'This page could not be loaded.',
  retry: 'Try again',
} as const;
