/**
 * How many requests a loaded model serves at once (llama-server -np): pure, shared by the core (llama-args.ts builds
 * `-np N -kvu` from it, the supervisor sizes the backend gate from it, the fit planner counts its output rows) and
 * the renderer (the Model page shows "Auto (N)").
 */
import type { LoadOptions } from './schemas';

/** Context tokens each busy slot can count on when every slot is busy at once. */
export const TOKENS_PER_SLOT = 2048;
/** The most slots auto picks. */
export const MAX_AUTO_SLOTS = 8;
/** What auto assumes for contextSize 0 (the model's own context, unknown here): the default context. */
const UNKNOWN_CONTEXT = 8192;

/**
 * Slots for parallel 0 (auto): one per 2048 tokens of context, 1 to 8 (8192 → 4, 16384 and more → 8). A set count
 * is kept.
 *
 * Why this is a rule about context and not about memory, at the pinned llama.cpp (de3ff81): auto starts the server
 * with -kvu, one KV pool shared by every slot (what llama-server's own `-np -1` does, with 4 slots), so a slot costs
 * no KV cache: each can use the whole context while the others are idle. What a slot does cost is one row of logits
 * in the output buffer (n_vocab × 4 bytes: 0.58 MiB for a 152k vocabulary; 4 vs 16 slots measured 2.3 vs 9.3 MiB) —
 * the compute buffer and the KV buffer stayed the same (22.5 / 32 MiB on the small test model). The limit is the
 * shared pool: when busy slots together outgrow it, llama-server first clears idle slots, then fails every busy one
 * with "Context size has been exceeded". One slot per 2048 tokens keeps 2048 tokens per slot on average with all of
 * them busy. At most 8: on a 2-core CPU, 16 clients × 128 tokens on the tiny model reached 1.7–2.1 × one stream's
 * tok/s with 4 or 8 slots and only 1.1–1.2 × with 16 (each step samples every busy slot), and a desktop serves a chat
 * and a few editor plug-ins, not a crowd: more clients wait their turn in the gate (upstream-gate.ts).
 */
export function resolveParallel(o: Pick<LoadOptions, 'parallel' | 'contextSize'>): number {
  if (o.parallel > 0) return o.parallel;
  const ctx = o.contextSize > 0 ? o.contextSize : UNKNOWN_CONTEXT;
  return Math.max(1, Math.min(MAX_AUTO_SLOTS, Math.floor(ctx / TOKENS_PER_SLOT)));
}
