// Loaded on first use (plugins.ts): highlight.js's common languages through lowlight.
import rehypeHighlight from 'rehype-highlight';
import type { PluggableList } from './plugins-type';

/** Only fences that name their language are highlighted (no guessing); math waiting for KaTeX is left as text. */
export const highlightPlugins: PluggableList = [[rehypeHighlight, { detect: false, plainText: ['math'] }]];
