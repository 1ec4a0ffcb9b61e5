import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { addLtv } from '../../src/core/ltv/add-ltv';
import { readDss, vriKey } from '../../src/core/ltv/dss';
import { openPdf } from '../../src/core/pdf/document';
import { classicPdf, qpdfCheck } from '../sign/support/stamp-fixtures';
import { makeGmWorld, status, verifyGmSignatures, type GmWorld } from '../gm/support/gm-world';
import { verifyPdf } from '../../src/core/verify/verify-pdf';

/**
 * The GM profile of docs/ltv.md: a GB/T 38540 stamp in a PDF gets its validation material in the
 * same /DSS (its chains; a /VRI entry keyed by the SHA-1 of its /Contents), as an allowed LTV change,
 * and the GM verifier reports its revocation check from it. (The GM test PKI publishes no OCSP/CRL,
 * so the status itself stays "not checked" here; SM2 CRLs are judged in test/revocation.)
 */
let w: GmWorld;
let stamped: Buffer;
before(async () => {
  w = await makeGmWorld('gm-ltv');
  stamped = fs.readFileSync(await w.stamp(await classicPdf(w.file('contract.pdf'), 1), w.file('stamped.pdf')));
});
after(() => w.cleanup());

test('a GB/T 38540 stamp gets its chain and a /VRI entry in the /DSS; it stays valid and reports its revocation check', async () => {
  const r = await addLtv(stamped, { trustRoots: [w.root.der] });
  assert.equal(r.level, 'B-LT');
  const doc = openPdf(r.bytes);
  const dss = readDss(doc);
  const contents = doc.signatureFields().find((f) => f.value)!.value!.contents;
  const entry = dss.vri.get(vriKey(contents));
  assert.ok(entry, 'a /VRI entry for the GM stamp');
  assert.ok(entry.certs.some((c) => Buffer.from(c).equals(Buffer.from(w.keeper.der))), "the keeper's SM2 certificate is in it");
  fs.writeFileSync(w.file('gm-blt.pdf'), r.bytes);
  assert.ok(qpdfCheck(w.file('gm-blt.pdf')).ok);
  const [s] = verifyGmSignatures(r.bytes, [w.root.der]);
  assert.ok(s);
  assert.equal(s.verdict, 'valid', JSON.stringify(s.checks.filter((c) => c.status !== 'ok')));
  assert.equal(status(s, 'modifications'), 'ok');
  assert.equal(s.modificationLevel, 'ltv');
  assert.equal(status(s, 'revocation'), 'not_checked');
  assert.match(s.checks.find((c) => c.id === 'revocation')!.message.en, /revocation not checked/i);
  assert.equal(verifyPdf(r.bytes, { trustRoots: [w.root.der] }).signatures[0]!.verdict, 'valid');
});
