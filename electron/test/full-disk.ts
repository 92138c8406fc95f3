/**
 * A full disk without root or a tiny tmpfs: the real file system, except that the chosen step of an atomic write
 * fails with ENOSPC (or another errno) the way the kernel reports it, after some bytes already landed.
 */
import fsp from 'node:fs/promises';
import type { AtomicFs } from '../core/util/atomic-write';

/** The real file system, except that writing the temp file fails the way a full disk does, after some bytes landed. */
export function fullDiskFs(stage: 'write' | 'sync' | 'open' | 'rename', code = 'ENOSPC'): AtomicFs {
  const fail = () => Object.assign(new Error(`${code}: no space left on device, ${stage}`), { code });
  return {
    mkdir: (d, o) => fsp.mkdir(d, o),
    rm: (f, o) => fsp.rm(f, o),
    rename: async (a, b) => {
      if (stage === 'rename') throw fail();
      await fsp.rename(a, b);
    },
    open: async (f, flags, mode) => {
      const fh = await fsp.open(f, flags, mode);
      if (stage === 'open') {
        await fh.close();
        throw fail();
      }
      return {
        writeFile: async (d) => {
          await fh.writeFile(typeof d === 'string' ? d.slice(0, 3) : d.subarray(0, 3));
          if (stage === 'write') throw fail();
        },
        sync: async () => {
          if (stage === 'sync') throw fail();
          await fh.sync();
        },
        close: () => fh.close(),
      };
    },
  };
}
