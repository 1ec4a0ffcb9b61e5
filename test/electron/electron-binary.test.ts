// Tests that need the Electron binary. It cannot be downloaded on the build machines (no internet),
// so they SKIP there with a message, and run wherever node_modules/electron/dist exists.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EXPOSED_FUNCTIONS } from '../../src/api/contract';

const root = path.join(__dirname, '..', '..');
const electronDist = path.join(root, 'node_modules', 'electron', 'dist');
const skip = fs.existsSync(electronDist) ? false : 'Electron binary absent (node_modules/electron/dist missing; download skipped on this machine)';

test('the real window runs sandboxed on app:// with only the contract on window.sealdesk', { skip, timeout: 120_000 }, async () => {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  const { _electron } = await import('playwright-core');
  const app = await _electron.launch({ executablePath: (await import('electron')).default as unknown as string, args: [root], env: { ...process.env, SEALDESK_HOME: fs.mkdtempSync('/tmp/sealdesk-electron-') } });
  try {
    const win = await app.firstWindow();
    await win.waitForLoadState('domcontentloaded');
    const seen = await win.evaluate(() => ({
      protocol: location.protocol,
      hasRequire: typeof (globalThis as { require?: unknown }).require !== 'undefined',
      hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
      keys: Object.keys((window as unknown as { sealdesk: object }).sealdesk).sort(),
    }));
    assert.equal(seen.protocol, 'app:');
    assert.equal(seen.hasRequire, false);
    assert.equal(seen.hasProcess, false);
    assert.deepEqual(seen.keys, [...EXPOSED_FUNCTIONS].sort());
    const opened = await win.evaluate(() => window.open('https://example.com'));
    assert.equal(opened, null, 'window.open is denied');
  } finally {
    await app.close();
  }
});
