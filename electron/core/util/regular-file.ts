/**
 * Opening files whose path someone else chose (a model path typed or sent over the API, a file named by a hub):
 * only regular files, and never a blocking open. Opening a FIFO waits for the other end inside a libuv worker
 * thread; a few of those and every fs call of the process queues behind them. So the open is non-blocking (a FIFO
 * opens at once or fails with ENXIO), and the descriptor is checked with fstat before anything reads or writes it.
 */
import { constants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';

/** Thrown (code ENOTREG) for a folder, pipe, socket or device where a regular file was expected. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is not a regular file (${kind})`);
    this.name = 'NotRegularFileError';
  }
}

export const isNotRegular = (e: unknown): e is NotRegularFileError => e instanceof NotRegularFileError;

// Windows has no FIFOs to block on, and neither flag there.
const NONBLOCK = constants.O_NONBLOCK ?? 0;
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

function kindOf(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSymbolicLink(): boolean;
}): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a file';
}

export interface OpenRegularOptions {
  /** 'r' read, 'r+' read and write, 'create' read and write, created if missing (never truncated here). */
  mode?: 'r' | 'r+' | 'create';
  /** Refuse a symbolic link as the last part of the path (files we create ourselves). */
  noFollow?: boolean;
}

/** Opens `file` if it is a regular file; NotRegularFileError otherwise (including a pipe without a reader: ENXIO). */
export async function openRegularFile(
  file: string,
  { mode = 'r', noFollow = false }: OpenRegularOptions = {},
): Promise<FileHandle> {
  const base =
    mode === 'r' ? constants.O_RDONLY : mode === 'r+' ? constants.O_RDWR : constants.O_RDWR | constants.O_CREAT;
  let fh: FileHandle;
  try {
    fh = await fs.open(file, base | NONBLOCK | (noFollow ? NOFOLLOW : 0), 0o666);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENXIO' || code === 'EISDIR')
      throw new NotRegularFileError(file, code === 'EISDIR' ? 'a folder' : 'a pipe or socket');
    if (code === 'ELOOP' && noFollow) throw new NotRegularFileError(file, 'a symbolic link');
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotRegularFileError(file, kindOf(st));
    return fh;
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e;
  }
}

/** Reads a small regular file as text; refuses anything else and anything over `maxBytes`. */
export async function readRegularText(file: string, maxBytes: number): Promise<string> {
  const fh = await openRegularFile(file);
  try {
    const { size } = await fh.stat();
    if (size > maxBytes) throw Object.assign(new Error(`${file} is larger than ${maxBytes} bytes`), { code: 'EFBIG' });
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}
