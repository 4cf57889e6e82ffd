/** Where the service keeps its database when `--db` is not given: the user's data folder, per platform. */
import os from 'node:os';
import path from 'node:path';

export function defaultDatabaseFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  const base =
    platform === 'win32'
      ? (env['LOCALAPPDATA'] ?? path.join(home, 'AppData', 'Local'))
      : platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : (env['XDG_DATA_HOME'] || path.join(home, '.local', 'share'));
  return path.join(base, 'tensile', 'faces', 'faces.db');
}
