/**
 * Opening the conversation database (SQLite through node-sqlite3-wasm: WebAssembly, so the same build runs in the
 * headless Node server and in Electron without a native rebuild), its schema migrations, one-transaction-per-change,
 * and SQLite's failures as AppErrors: a full disk is DISK_FULL (the transaction is rolled back, what was there stays),
 * a damaged file is STORE_CORRUPT.
 *
 * A file that is damaged when opened (not a database, or failing the quick check after a damaged page was met while
 * running) is set aside as conversations.db.corrupt-<time> (never deleted) and a fresh database starts in its place.
 */
import fs from 'node:fs';
import path from 'node:path';
// A CommonJS module: the default import is what works from the ESM headless build, the CJS Electron one and vitest.
import sqlite3 from 'node-sqlite3-wasm';
import type { Database, Statement } from 'node-sqlite3-wasm';
import { AppError } from '../../shared/errors';
import { MIGRATIONS } from './schema';

export const DB_FILE = 'conversations.db';

export interface OpenedDb {
  db: Database;
  file: string;
  /** Where a damaged database was set aside at this open, and why; null when the file was sound. */
  setAside: { path: string; reason: string } | null;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const isCorruptError = (e: unknown) =>
  e instanceof AppError
    ? e.code === 'STORE_CORRUPT'
    : /file is not a database|malformed|corrupt|SQLITE_NOTADB|SQLITE_CORRUPT/i.test(message(e));

/** Free bytes on the file system holding `dir` (Infinity when unknown). */
function freeBytes(dir: string): number {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}

/**
 * SQLite's error as the AppError a client can act on. SQLITE_FULL (also what `max_page_count` gives) is DISK_FULL;
 * the VFS reports a failed write (ENOSPC included) as a generic I/O error, so that is DISK_FULL when the disk is
 * indeed (nearly) full. Anything else is rethrown as it is.
 */
export function storeError(e: unknown, file: string): unknown {
  if (e instanceof AppError) return e;
  const text = message(e);
  if (/database or disk is full|SQLITE_FULL/i.test(text))
    return new AppError('DISK_FULL', { path: path.dirname(file) });
  if (/disk I\/O error/i.test(text) && freeBytes(path.dirname(file)) < 4 * 1024 * 1024)
    return new AppError('DISK_FULL', { path: path.dirname(file) });
  if (isCorruptError(e)) {
    try {
      fs.writeFileSync(checkMarker(file), `${new Date().toISOString()} ${text}\n`);
    } catch {
      // best effort: without the marker the damage is found again when the page is read
    }
    return new AppError('STORE_CORRUPT', { reason: text, path: file });
  }
  return e;
}

/** Runs `fn` in one transaction; on any failure it is rolled back and the error mapped by storeError. */
export function transaction<T>(db: Database, file: string, fn: () => T): T {
  try {
    db.exec('BEGIN IMMEDIATE');
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (e) {
    if (db.inTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // SQLite may already have rolled back (SQLITE_FULL does); nothing more to undo.
      }
    }
    throw storeError(e, file);
  }
}

/** Prepared statements kept for the life of the connection (the streaming reply's partial write is hot). */
export class Statements {
  private readonly cache = new Map<string, Statement>();
  constructor(private readonly db: Database) {}
  get(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }
  finalize() {
    for (const s of this.cache.values()) {
      try {
        if (!s.isFinalized) s.finalize();
      } catch {
        // finalize reports the statement's last failure again (a DISK_FULL already thrown); it is freed anyway.
      }
    }
    this.cache.clear();
  }
}

function configure(db: Database) {
  // One process owns the data folder (core/lock), so the database is held exclusively; that is also what lets this
  // VFS (no shared memory) run WAL.
  db.exec('PRAGMA locking_mode = EXCLUSIVE');
  db.get('PRAGMA journal_mode = WAL');
  // Every page this VFS reads is a read system call from WebAssembly: a 32 MB page cache (the default is 2 MB)
  // keeps a large store's search index pages in memory. Pages are allocated as used, not up front.
  db.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768');
}

/** Written when a query met a damaged page: the next start checks the whole file (too slow to do at every start). */
export const checkMarker = (file: string) => `${file}.check`;

/**
 * Every start reads the header and the schema (a file that is not a database fails here); the whole-file quick check
 * (seconds on a large store) runs only when a damaged page was met while running.
 */
function check(db: Database, file: string) {
  db.all('SELECT name FROM sqlite_master');
  if (!fs.existsSync(checkMarker(file))) return;
  const rows = db.all('PRAGMA quick_check') as Array<Record<string, unknown>>;
  const first = rows.length ? String(Object.values(rows[0]!)[0]) : 'no answer';
  if (first !== 'ok') throw new Error(`database disk image is malformed: ${first.slice(0, 200)}`);
  fs.rmSync(checkMarker(file), { force: true });
}

export function migrate(db: Database, file: string, log: (msg: string) => void) {
  const version = Number((db.get('PRAGMA user_version') as { user_version: number }).user_version);
  if (version > MIGRATIONS.length) {
    log(`conversations: the database is at schema ${version}, newer than this app knows (${MIGRATIONS.length})`);
    return;
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    transaction(db, file, () => {
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    });
  }
}

function openChecked(file: string, log: (msg: string) => void): Database {
  const db = new sqlite3.Database(file);
  try {
    configure(db);
    check(db, file);
    migrate(db, file, log);
    return db;
  } catch (e) {
    try {
      db.close();
    } catch {
      // already unusable
    }
    throw e;
  }
}

/** Moves the damaged database (and its WAL) out of the way under a name that says when; returns the new path. */
function setAside(file: string): string {
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  fs.renameSync(file, aside);
  for (const suffix of ['-wal', '-shm', '-journal'])
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
  return aside;
}

/**
 * Opens (creating if needed) <dataDir>/conversations.db, migrated to the current schema. The caller owns the data
 * folder (core/lock): a lock directory this VFS left behind after a crash is therefore stale and removed.
 */
export function openConversationDb(dataDir: string, log: (msg: string) => void): OpenedDb {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DB_FILE);
  fs.rmSync(`${file}.lock`, { recursive: true, force: true });
  try {
    return { db: openChecked(file, log), file, setAside: null };
  } catch (e) {
    if (!isCorruptError(e)) throw storeError(e, file);
    const reason = message(e).slice(0, 300);
    fs.rmSync(`${file}.lock`, { recursive: true, force: true });
    const aside = setAside(file);
    fs.rmSync(checkMarker(file), { force: true });
    log(
      `conversations: the database was damaged (${reason}); kept it as ${path.basename(aside)} and started a new one`,
    );
    return { db: openChecked(file, log), file, setAside: { path: aside, reason } };
  }
}
