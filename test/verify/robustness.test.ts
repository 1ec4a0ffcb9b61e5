import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { isSealDeskError } from '../../src/core/errors';
import { openPdf } from '../../src/core/pdf/document';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { makeWorld, type World } from './world';

/**
 * Damaged stamped files: the verifier either returns a report (in which a damaged stamp is not
 * valid) or refuses the file with a SealDeskError — never another exception, never a hang.
 */
let world: World;
let stamped: Buffer;
before(async () => {
  world = await makeWorld('robust');
  const input = await classicPdf(world.file('in.pdf'), 2);
  const once = await world.stamp(input, world.file('once.pdf'));
  stamped = fs.readFileSync(await world.stamp(once, world.file('twice.pdf'), { kind: 'point', page: 2, x: 200, y: 200 }));
});
after(() => world.cleanup());

function judge(bytes: Buffer): 'report' | 'refused' {
  try {
    const r = verifyPdf(bytes, { trustRoots: [world.ca.certificate] });
    assert.ok(['valid', 'warning', 'invalid'].includes(r.verdict));
    return 'report';
  } catch (e) {
    assert.ok(isSealDeskError(e), `not a SealDeskError: ${String(e)}`);
    assert.ok(e.zh.length > 0 && e.en.length > 0);
    return 'refused';
  }
}

test('a stamped file truncated at many points is refused or reported, never a crash', () => {
  const started = Date.now();
  for (let cut = 0; cut < stamped.length; cut += Math.max(1, Math.floor(stamped.length / 80))) judge(stamped.subarray(0, cut));
  assert.ok(Date.now() - started < 60_000);
});

test('random byte damage in a stamped file never crashes, and a stamp whose signed bytes changed is never valid', () => {
  const ranges = openPdf(stamped).signatureFields().map((f) => f.value!.byteRange as [number, number, number, number]);
  let seed = 20250501;
  const next = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed; };
  let checked = 0;
  for (let i = 0; i < 150; i++) {
    const forged = Buffer.from(stamped);
    const at = next() % forged.length;
    forged[at] = (forged[at]! + 1 + (next() % 254)) & 0xff;
    if (judge(forged) !== 'report') continue;
    const r = verifyPdf(forged, { trustRoots: [world.ca.certificate] });
    ranges.forEach(([, b, c, d], k) => {
      const signedByte = at < b || (at >= c && at < c + d);
      if (!signedByte) return;
      const s = r.signatures.find((x) => x.field === `SealDesk_Seal_${k + 1}`);
      if (s) {
        assert.notEqual(s.verdict, 'valid', `byte ${at} inside the signed range of stamp ${k + 1} changed, yet it is valid`);
        checked++;
      }
    });
  }
  assert.ok(checked > 20, `only ${checked} damaged stamps were judged`);
});
