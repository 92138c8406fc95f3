import type { Options } from 'react-markdown';

/** A list of rehype plugins as react-markdown takes them. */
export type PluggableList = NonNullable<Options['rehypePlugins']>;
