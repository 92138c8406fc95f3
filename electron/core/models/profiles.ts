/**
 * Saved per-model load options ("profiles"): <dataDir>/model-profiles.json, keyed by the model's absolute path,
 * written atomically. A profile applies only while the model file and the machine still match the fingerprints it
 * was saved with; otherwise `get` says why (stale) and the start goes on without it. A file that cannot be read or
 * parsed is set aside in the log and treated as empty — never a crash; the next save replaces it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ModelProfile, type ProfileAnswer } from '../../shared/tuning';
import { writeFileAtomic, WriteQueue } from '../util/atomic-write';

export const PROFILES_FILE = 'model-profiles.json';

const ProfilesFile = z.object({
  version: z.literal(1),
  profiles: z.record(z.string(), z.unknown()),
});

export interface Fingerprints {
  model: string;
  hardware: string;
}

/** Whether a saved profile applies to the file and machine now. Pure. */
export function judgeProfile(p: ModelProfile | null, now: Fingerprints): ProfileAnswer {
  if (!p) return { profile: null, stale: null };
  if (p.modelFingerprint !== now.model) return { profile: null, stale: 'model-changed' };
  if (p.hardwareFingerprint !== now.hardware) return { profile: null, stale: 'hardware-changed' };
  return { profile: p, stale: null };
}

export class ProfileStore {
  readonly file: string;
  private readonly queue = new WriteQueue();

  constructor(
    dataDir: string,
    private readonly log: (msg: string) => void = () => undefined,
  ) {
    this.file = path.join(dataDir, PROFILES_FILE);
  }

  /** Every valid profile by model path; a broken file or entry is logged and skipped. */
  async all(): Promise<Record<string, ModelProfile>> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log(`model profiles: cannot read ${this.file}: ${(e as Error).message}; ignoring it`);
      return {};
    }
    let parsed: z.infer<typeof ProfilesFile>;
    try {
      parsed = ProfilesFile.parse(JSON.parse(text));
    } catch (e) {
      this.log(
        `model profiles: ${this.file} is not a valid profiles file (${(e as Error).message.slice(0, 200)}); ignoring it`,
      );
      return {};
    }
    const out: Record<string, ModelProfile> = {};
    for (const [key, value] of Object.entries(parsed.profiles)) {
      const p = ModelProfile.safeParse(value);
      if (p.success && p.data.modelPath === key) out[key] = p.data;
      else this.log(`model profiles: the entry for ${key} is not valid; ignoring it`);
    }
    return out;
  }

  async read(modelPath: string): Promise<ModelProfile | null> {
    return (await this.all())[path.resolve(modelPath)] ?? null;
  }

  async save(profile: ModelProfile): Promise<ModelProfile> {
    const p = ModelProfile.parse({ ...profile, modelPath: path.resolve(profile.modelPath) });
    await this.queue.run(async () => {
      const all = await this.all();
      all[p.modelPath] = p;
      await this.write(all);
    });
    return p;
  }

  async clear(modelPath: string): Promise<boolean> {
    const key = path.resolve(modelPath);
    return this.queue.run(async () => {
      const all = await this.all();
      if (!(key in all)) return false;
      delete all[key];
      await this.write(all);
      return true;
    });
  }

  private async write(profiles: Record<string, ModelProfile>): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, profiles }, null, 2) + '\n');
  }
}
