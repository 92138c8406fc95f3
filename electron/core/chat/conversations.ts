/**
 * Saved conversations: one JSON file each under <data>/conversations, written atomically, validated on read.
 * A damaged file is set aside (never deleted) and left out of the list, so one bad file cannot hide the rest.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { Conversation, type ConversationSummary } from '../../shared/schemas';
import { WriteQueue, writeFileAtomic, type AtomicFs } from '../util/atomic-write';

export const summarizeConversation = (c: Conversation): ConversationSummary => ({
  id: c.id,
  title: c.title,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  model: c.model,
  messageCount: c.messages.length,
});

export class ConversationStore {
  private readonly dir: string;
  private readonly queue = new WriteQueue();
  /** Summaries cached after the first full read; kept in step by save/delete. */
  private index: Map<string, ConversationSummary> | null = null;

  constructor(
    dataDir: string,
    private readonly log: (msg: string) => void = () => undefined,
    private readonly onChange: (list: ConversationSummary[]) => void = () => undefined,
    /** Tests: a file system that fails like a full disk. */
    private readonly io: { fs?: AtomicFs } = {},
  ) {
    this.dir = path.join(dataDir, 'conversations');
  }

  private file(id: string) {
    // ids are validated by the contract ([A-Za-z0-9_-]), so this cannot leave the folder.
    return path.join(this.dir, `${id}.json`);
  }

  private async read(id: string): Promise<Conversation | null> {
    let raw: string;
    try {
      raw = await fs.readFile(this.file(id), 'utf8');
    } catch {
      return null;
    }
    try {
      return Conversation.parse(JSON.parse(raw));
    } catch (e) {
      const aside = `${this.file(id)}.corrupt-${Date.now()}`;
      await fs.rename(this.file(id), aside).catch(() => undefined);
      this.log(
        `conversation ${id} was unreadable (${(e as Error).message.slice(0, 120)}); kept it as ${path.basename(aside)}`,
      );
      return null;
    }
  }

  private async loadIndex(): Promise<Map<string, ConversationSummary>> {
    if (this.index) return this.index;
    const index = new Map<string, ConversationSummary>();
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const c = await this.read(name.slice(0, -5));
      if (c) index.set(c.id, summarizeConversation(c));
    }
    this.index = index;
    return index;
  }

  async list(): Promise<ConversationSummary[]> {
    return [...(await this.loadIndex()).values()].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async get(id: string): Promise<Conversation> {
    const c = await this.read(id);
    if (!c) throw new AppError('CONVERSATION_NOT_FOUND', { id });
    return c;
  }

  async save(c: Conversation): Promise<ConversationSummary> {
    return this.queue.run(async () => {
      // A full disk is DISK_FULL (507) and leaves the saved version as it was.
      await writeFileAtomic(this.file(c.id), JSON.stringify(c), 0o644, this.io.fs ? { fs: this.io.fs } : {});
      const summary = summarizeConversation(c);
      (await this.loadIndex()).set(c.id, summary);
      this.onChange(await this.list());
      return summary;
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.queue.run(async () => {
      const index = await this.loadIndex();
      const existed = index.delete(id);
      await fs.rm(this.file(id), { force: true });
      if (existed) this.onChange(await this.list());
      return existed;
    });
  }
}
