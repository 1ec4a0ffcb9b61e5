import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The directory SealDesk runs from (the checkout, or the packaged app): where resources/, native/
 * and dist/ are. Found by walking up from this module to SealDesk's own package.json, so that it
 * holds from the sources (src/core/config) and from every bundle (dist/cli, dist/main), whose
 * depths differ.
 */
export function installRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'sealdesk') return (cached = dir);
    } catch { /* no package.json here, or not ours: look higher */ }
    if (path.dirname(dir) === dir) throw new Error(`SealDesk's package.json was not found above ${__dirname}`);
  }
}
