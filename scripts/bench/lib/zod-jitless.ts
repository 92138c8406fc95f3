// Imported first by the stand-in bridge: zod decides at schema construction whether to compile parsers with
// `new Function`, and the page's CSP (applied after the init script starts) forbids eval.
import { config } from 'zod';

config({ jitless: true });
