import os from 'node:os';
import path from 'node:path';

/** The same folder Electron's app.getPath('userData') gives for productName "DeepLocal", so both shells share settings. */
export function defaultDataDir(platform = process.platform, env = process.env, home = os.homedir()): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'DeepLocal');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'DeepLocal');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'DeepLocal');
}
