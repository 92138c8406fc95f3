/** The `live` namespace, section pages (issue 13): page URLs and the tab's title. */
export const pagesEn = {
  /** The browser tab's title (and a bookmark's name): the page or the conversation. */
  documentTitle: '{{page}} · DeepLocal',
  newChat: 'New chat',
} as const;
