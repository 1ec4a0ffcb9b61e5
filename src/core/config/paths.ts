import os from 'node:os';
import path from 'node:path';

/** The data dir: env SEALDESK_HOME, else the platform's app-data dir. */
export function sealdeskHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SEALDESK_HOME) return path.resolve(env.SEALDESK_HOME);
  if (process.platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'SealDesk');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'SealDesk');
  return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'sealdesk');
}

export const homePaths = (home: string = sealdeskHome()) => ({
  home,
  trustDir: path.join(home, 'trust'),
  auditLog: path.join(home, 'audit.log'),
  pinGuardDir: path.join(home, 'pin-guard'),
  configFile: path.join(home, 'config.json'),
});
