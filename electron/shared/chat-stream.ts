/**
 * One streamed reply as one handle: iterate its deltas, await its end, cancel it. Works over any ContractClient.
 */
import { AppError } from './errors';
import type { ContractClient } from './contract';
import type { ChatEvent, ChatMessage, SamplingParams } from './schemas';

export type ChatDone = Extract<ChatEvent, { type: 'done' }>;
export type ChatDelta = Extract<ChatEvent, { type: 'delta' }>;

export interface ChatHandle extends AsyncIterable<ChatDelta> {
  readonly requestId: string;
  /** Resolves with the final event (also when cancelled); rejects with an AppError on failure. */
  readonly done: Promise<ChatDone>;
  cancel(): Promise<void>;
}

let counter = 0;
const newRequestId = () =>
  `r${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export function streamChat(
  client: ContractClient,
  input: { messages: ChatMessage[]; sampling?: SamplingParams; onDelta?: (d: ChatDelta) => void },
): ChatHandle {
  const requestId = newRequestId();
  const buffered: ChatDelta[] = [];
  let wake: (() => void) | null = null;
  let finished = false;

  let resolveDone!: (d: ChatDone) => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<ChatDone>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => undefined);

  const finish = () => {
    finished = true;
    unsubscribe();
    wake?.();
  };
  // Subscribe before starting so the first delta cannot be missed; the requestId is the event's topic.
  const unsubscribe = client.on(
    'chat.event',
    (ev) => {
      if (ev.requestId !== requestId) return;
      if (ev.type === 'delta') {
        input.onDelta?.(ev);
        buffered.push(ev);
        wake?.();
      } else if (ev.type === 'done') {
        resolveDone(ev);
        finish();
      } else {
        rejectDone(AppError.from(ev.error));
        finish();
      }
    },
    requestId,
  );

  client
    .call('chat.start', {
      requestId,
      messages: input.messages,
      ...(input.sampling ? { sampling: input.sampling } : {}),
    })
    .catch((e: unknown) => {
      rejectDone(e instanceof Error ? e : new Error(String(e)));
      finish();
    });

  return {
    requestId,
    done,
    async cancel() {
      await client.call('chat.cancel', { requestId });
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (buffered.length) yield buffered.shift()!;
        if (finished) break;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
      await done;
    },
  };
}
