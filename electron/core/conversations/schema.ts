/**
 * The conversation database's schema, one migration per version (PRAGMA user_version counts the ones applied).
 *
 * Search: two contentless FTS5 tables with the trigram tokenizer (substrings and Chinese match without a word
 * splitter). messages_fts holds a message's content only while its status is not 'streaming': the triggers add it
 * when the status leaves 'streaming' (or at insert, for a finished message) and remove it when it changes or goes,
 * so the partial writes of a streaming reply (content only, status still 'streaming') touch no index at all.
 * contentless_delete lets a row leave the index by rowid, without the text it was indexed with.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: conversations as message trees, full-text search, a key/value table for one-off facts (legacy migration).
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    title_auto INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL DEFAULT 0,
    system_prompt TEXT,
    preset_id TEXT,
    leaf_id TEXT,
    model TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    deleted_at REAL,
    thread_len INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX conversations_order ON conversations (pinned DESC, updated_at DESC) WHERE deleted_at IS NULL;
  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    parent_id TEXT,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    reasoning TEXT NOT NULL DEFAULT '',
    attachments TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    finish_reason TEXT,
    timings TEXT,
    error TEXT,
    reasoning_ms REAL,
    model TEXT,
    created_at REAL NOT NULL,
    UNIQUE (conversation_id, id)
  );
  CREATE INDEX messages_conversation ON messages (conversation_id, seq);
  CREATE INDEX messages_streaming ON messages (conversation_id) WHERE status = 'streaming';

  CREATE VIRTUAL TABLE messages_fts USING fts5 (content, content='', contentless_delete=1, tokenize='trigram');
  CREATE VIRTUAL TABLE titles_fts USING fts5 (title, content='', contentless_delete=1, tokenize='trigram');

  CREATE TRIGGER messages_ai AFTER INSERT ON messages WHEN new.status <> 'streaming' BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
  END;
  CREATE TRIGGER messages_au AFTER UPDATE OF content, status ON messages
  WHEN old.status <> 'streaming' OR new.status <> 'streaming' BEGIN
    DELETE FROM messages_fts WHERE rowid = old.seq AND old.status <> 'streaming';
    INSERT INTO messages_fts (rowid, content) SELECT new.seq, new.content WHERE new.status <> 'streaming';
  END;
  CREATE TRIGGER messages_ad AFTER DELETE ON messages WHEN old.status <> 'streaming' BEGIN
    DELETE FROM messages_fts WHERE rowid = old.seq;
  END;
  CREATE TRIGGER conversations_ai AFTER INSERT ON conversations BEGIN
    INSERT INTO titles_fts (rowid, title) VALUES (new.rowid, new.title);
  END;
  CREATE TRIGGER conversations_au AFTER UPDATE OF title ON conversations BEGIN
    DELETE FROM titles_fts WHERE rowid = old.rowid;
    INSERT INTO titles_fts (rowid, title) VALUES (new.rowid, new.title);
  END;
  CREATE TRIGGER conversations_ad AFTER DELETE ON conversations BEGIN
    DELETE FROM titles_fts WHERE rowid = old.rowid;
  END;
  `,
];
