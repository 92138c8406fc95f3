/** What a block needs and the lazily loaded plugins that render it. */
import type { PluggableList } from './plugins-type';
import { lazyResource } from './lazy';

export const katex = lazyResource<PluggableList>(() => import('./katex-plugin').then((m) => m.katexPlugins));
export const highlight = lazyResource<PluggableList>(() =>
  import('./highlight-plugin').then((m) => m.highlightPlugins),
);

/** After normalizeMath every formula is delimited by `$$`. */
export const needsMath = (block: string) => block.includes('$$');
/** A fence naming its language (the highlighter highlights nothing else). */
export const needsHighlight = (block: string) => /^[ \t]*(?:`{3,}|~{3,})[ \t]*[^\s`~]/m.test(block);
