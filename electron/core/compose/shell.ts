/**
 * The contract methods the shell provides natively (Electron's file dialog and app updates); the browser shell has
 * neither, so they answer UNSUPPORTED with what to do instead.
 */
import type { AppUpdaterPort } from '../../shared/app-update';
import type { Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';

export function shellHandlers(o: {
  pickModelFile?: () => Promise<string | null>;
  appUpdater?: AppUpdaterPort;
}): Pick<Handlers, 'shell.pickModelFile' | 'app.updateStatus' | 'app.installUpdate'> {
  return {
    'shell.pickModelFile': async () => {
      if (!o.pickModelFile) throw new AppError('UNSUPPORTED', { what: 'file dialog (enter the path instead)' });
      return { path: await o.pickModelFile() };
    },
    'app.updateStatus': async () => {
      if (!o.appUpdater) throw new AppError('UNSUPPORTED', { what: 'app updates (desktop app only)' });
      return o.appUpdater.status();
    },
    'app.installUpdate': async () => {
      if (!o.appUpdater) throw new AppError('UNSUPPORTED', { what: 'app updates (desktop app only)' });
      return o.appUpdater.install();
    },
  };
}
