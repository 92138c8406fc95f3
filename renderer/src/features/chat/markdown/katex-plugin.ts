// Loaded on first use (plugins.ts): KaTeX, its CSS (with the fonts it names) and the rehype plugin.
import 'katex/dist/katex.min.css';
import rehypeKatex from 'rehype-katex';
import type { PluggableList } from './plugins-type';

/**
 * strict 'ignore': model output is not LaTeX-clean (Unicode text in math mode, …); KaTeX's default ('warn') writes a
 * console warning for each, on every render. A formula that does not parse shows as its source in the error colour.
 */
export const katexPlugins: PluggableList = [[rehypeKatex, { strict: 'ignore', throwOnError: false }]];
