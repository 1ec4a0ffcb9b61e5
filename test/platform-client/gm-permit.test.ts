import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { verifyDocumentWithStatus } from '../../src/core/app/verification';
import { decodeSesSignature } from '../../src/core/asn1/ses-signature';
import { OID_ATTR_PLATFORM_PERMIT } from '../../src/core/cms/oids';
import { parseCms } from '../../src/core/cms/parse-cms';
import { openPdf } from '../../src/core/pdf/document';
import { stampPdf } from '../../src/core/sign';
import { createPlatformWorld, type PlatformWorld } from '../platform/support/platform-world';
import { contentsOf, makeGmWorld, sealPng, verifyGmSignatures, type GmWorld } from '../gm/support/gm-world';
import { CONTRACT, configure, dataDir, keeperWithSeal, pinSpy, stamp } from './support';

/**
 * The permit in a GB/T 38540 stamp: TBS_Sign.extDatas under the permit OID, signed with the rest of
 * TBS_Sign. The SM2 keeper is a software key (SoftHSM2 has no SM2; the native GM token is tested in
 * test/gm), the permit a real one from the platform on SQLite — for another seal, which the status
 * check must notice after reading it out of the GM stamp.
 */
let w: PlatformWorld;
let gm: GmWorld;
before(async () => {
  w = await createPlatformWorld('sqlite');
  gm = await makeGmWorld('permit');
});
after(async () => {
  gm?.cleanup();
  await w?.close();
});

test('a GB/T 38540 stamp carries the permit in TBS_Sign extDatas, its signature still verifies, and the status check reads and judges it', { timeout: 120_000 }, async () => {
  const settings = await configure(w);
  const ctx = dataDir(w, 'home-gm', settings);
  const k = await keeperWithSeal(w, 'KEEPER-GM-PERMIT');
  const pades = path.join(w.hsm.dir, 'pades.pdf');
  await stamp(ctx, k.token, pades, pinSpy(k.token.userPin).ask);
  const f = openPdf(new Uint8Array(fs.readFileSync(pades))).signatureFields().find((x) => x.value)!;
  const permit = parseCms(f.value!.contents).permit!;

  const out = gm.file('gm-with-permit.pdf');
  await stampPdf({ input: CONTRACT, output: out, placement: { kind: 'point', page: 1, x: 300, y: 300 }, sealDer: gm.sealDer,
    sealPicture: { type: 'PNG', data: sealPng, widthMm: 40, heightMm: 40 }, signer: gm.keeper.signer(), permit });
  const bytes = new Uint8Array(fs.readFileSync(out));
  const ses = decodeSesSignature(contentsOf(bytes).der);
  const ext = ses.toSign.extDatas.find((e) => e.extnID === OID_ATTR_PLATFORM_PERMIT);
  assert.ok(ext, 'the permit is an extData of TBS_Sign');
  assert.deepEqual(Buffer.from(ext.extnValue), Buffer.from(permit));
  assert.equal(ext.critical, false);
  const [gmReport] = verifyGmSignatures(bytes, [gm.root.der]);
  assert.equal(gmReport!.checks.find((c) => c.id === 'signature')?.status, 'ok', JSON.stringify(gmReport!.checks));

  fs.writeFileSync(path.join(w.hsm.dir, 'gm-root.pem'), gm.root.pem);
  ctx.trust.add(path.join(w.hsm.dir, 'gm-root.pem'));
  const report = await verifyDocumentWithStatus(ctx, out);
  const st = report.signatures[0]!.checks.find((c) => c.id === 'seal_status')!;
  assert.equal(st.status, 'failed');
  assert.match(st.message.zh, /许可针对另一枚印章/);
});
