/**
 * Text files attached to a message: read in the browser, refused when binary or too large. Pure checks here (tested
 * without a browser); whether the context can hold a file is asked of the core by the composer.
 */
import type { LiveKey } from '../../lib/useLiveText';
import type { DraftAttachment } from '../../stores/chat';

/** The contract's bounds: 20 files, 4,000,000 characters each. */
export const MAX_FILES = 20;
export const MAX_CHARS = 4_000_000;
/** Bytes read at most: a UTF-8 file of MAX_CHARS characters is at least this big, so anything larger cannot fit. */
export const MAX_BYTES = 4 * MAX_CHARS;

export interface Refusal {
  key: LiveKey;
  params: Record<string, string | number>;
}

/**
 * Binary content decoded as UTF-8: NUL bytes, or more than 2 % replacement characters / control characters other
 * than tab, newline, carriage return and form feed (text files have none; images and archives are full of them).
 */
export function looksBinary(text: string): boolean {
  const sample = text.slice(0, 65_536);
  if (sample.length === 0) return false;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12)) odd++;
  }
  return odd / sample.length > 0.02;
}

/** Checks one file read as text (name, size in bytes, text), against what is attached already. */
export function checkText(
  name: string,
  size: number,
  text: string,
  attached: readonly DraftAttachment[],
): DraftAttachment | Refusal {
  if (attached.length >= MAX_FILES) return { key: 'thread.composer.tooMany', params: { n: MAX_FILES } };
  if (looksBinary(text)) return { key: 'thread.composer.binary', params: { name } };
  if (text.length > MAX_CHARS) return { key: 'thread.composer.tooLarge', params: { name, size } };
  return { name: name.slice(0, 255) || 'file.txt', text, size };
}

export const isRefusal = (x: DraftAttachment | Refusal): x is Refusal => 'key' in x;

/** Reads a File (size first: a 2 GB video is refused without reading it). */
export async function readFile(file: File, attached: readonly DraftAttachment[]): Promise<DraftAttachment | Refusal> {
  if (file.size > MAX_BYTES) return { key: 'thread.composer.tooLarge', params: { name: file.name, size: file.size } };
  try {
    return checkText(file.name, file.size, await file.text(), attached);
  } catch {
    return { key: 'thread.composer.readFailed', params: { name: file.name } };
  }
}
