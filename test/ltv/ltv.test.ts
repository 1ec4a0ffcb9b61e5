import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { SignatureReport, VerificationReport } from '../../src/api/verification-report';
import { main } from '../../src/cli/main';
import { toPem } from '../../src/core/crypto/pem';
import { addLtv } from '../../src/core/ltv/add-ltv';
import { readDss, vriKey } from '../../src/core/ltv/dss';
import { openPdf } from '../../src/core/pdf/document';
import { defaultRevocationConfig } from '../../src/core/revocation/revocation-config';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { pdfsig, qpdfCheck } from '../sign/support/stamp-fixtures';
import { makeRevocationWorld, type RevocationWorld } from '../revocation/support/revocation-world';

/**
 * PAdES B-LT and B-LTA made by SealDesk (src/core/ltv): the /DSS holds the chains and the OCSP/CRL
 * data from a real openssl responder; once it is embedded the responder is stopped and the file
 * still verifies — offline, saying so — in SealDesk and in poppler's pdfsig; the earlier stamp stays
 * valid (the change rules "dss" and "document-timestamp"), and a B-LTA renewal keeps it all valid.
 */
let w: RevocationWorld;
let stamped: Buffer;
let blt: Buffer;
let blta: Buffer;
const config = { ...defaultRevocationConfig(), timeoutMs: 3000 };

before(async () => {
  w = await makeRevocationWorld('ltv');
  stamped = fs.readFileSync(await w.stamp('stamped.pdf'));
  blt = (await addLtv(stamped, { trustRoots: w.roots, config })).bytes;
  blta = (await addLtv(stamped, { trustRoots: w.roots, config, tsaUrl: w.tsa.url })).bytes;
  await w.authority.stop(); // from here on, nobody answers: verification must live on the file's own data
});
after(async () => { await w?.close(); });

const stampOf = (r: VerificationReport): SignatureReport => r.signatures.find((s) => s.kind !== 'document_timestamp')!;
const statusOf = (s: SignatureReport, id: string): string | undefined => s.checks.find((c) => c.id === id)?.status;

test('B-LT: the DSS carries the chains, the OCSP responses and a VRI entry keyed by the SHA-1 of the stamp /Contents', () => {
  assert.equal(blt.subarray(0, stamped.length).compare(stamped), 0, 'the stamped bytes are kept as they were');
  const doc = openPdf(blt);
  const dss = readDss(doc);
  assert.ok(dss.present);
  assert.ok(dss.certs.some((c) => Buffer.from(c).equals(Buffer.from(w.keeper.certificate))), 'the keeper certificate is in /Certs');
  assert.ok(dss.certs.some((c) => Buffer.from(c).equals(Buffer.from(w.maker.certificate))), "the maker's certificate is in /Certs");
  assert.ok(dss.ocsps.length >= 2, 'OCSP responses for keeper and maker');
  const contents = doc.signatureFields().find((f) => f.value)!.value!.contents;
  const entry = dss.vri.get(vriKey(contents));
  assert.ok(entry, 'a /VRI entry for the stamp');
  assert.ok(entry.ocsps.length >= 2 && entry.certs.length >= 3);
  const file = w.file('blt.pdf');
  fs.writeFileSync(file, blt);
  assert.ok(qpdfCheck(file).ok, qpdfCheck(file).text);
});

test('B-LT verifies offline with the responder stopped: revocation ok from embedded data, the stamp valid, the DSS an allowed change', () => {
  const r = verifyPdf(blt, { trustRoots: w.roots });
  const s = stampOf(r);
  assert.equal(statusOf(s, 'revocation'), 'ok', s.checks.find((c) => c.id === 'revocation')!.message.en);
  assert.equal(s.revocation!.offline, true);
  assert.match(s.checks.find((c) => c.id === 'revocation')!.message.en, /embedded in the file, verified offline/);
  assert.ok(s.revocation!.certificates.filter((c) => c.role === 'signer' || c.role === 'maker').every((c) => c.source === 'embedded' && c.status === 'good'));
  assert.ok(s.revocation!.provenAt);
  assert.equal(statusOf(s, 'modifications'), 'ok');
  assert.equal(s.modificationLevel, 'ltv');
  assert.equal(s.verdict, 'valid');
  // the same file without its DSS (the stamped original) cannot be proven offline: a visible warning
  const bare = stampOf(verifyPdf(stamped, { trustRoots: w.roots }));
  assert.equal(statusOf(bare, 'revocation'), 'warning');
});

test('B-LTA: a document timestamp over the DSS; SealDesk and pdfsig accept the stamp and the timestamp, offline', () => {
  const r = verifyPdf(blta, { trustRoots: w.roots });
  const ts = r.signatures.find((s) => s.kind === 'document_timestamp');
  assert.ok(ts, 'the document timestamp is there');
  assert.equal(ts.verdict !== 'invalid', true, JSON.stringify(ts.checks));
  assert.equal(statusOf(ts, 'digest'), 'ok');
  const s = stampOf(r);
  assert.equal(s.verdict, 'valid', JSON.stringify(s.checks.filter((c) => c.status !== 'ok')));
  assert.equal(s.modificationLevel, 'ltv');
  const file = w.file('blta.pdf');
  fs.writeFileSync(file, blta);
  const p = pdfsig(file);
  // poppler lists a document timestamp but does not validate one ("Signature has not yet been
  // verified", as for pyHanko's B-LTA files in ../shared/testdata/pdf-peers): the stamp is what it checks
  assert.equal(p.total, 2, p.text);
  assert.equal(p.valid, 1, p.text);
  assert.match(p.text, /SealDesk_Seal_1[\s\S]*?Signature is Valid\./);
  assert.match(p.text, /SealDesk_DocTimeStamp_1/);
  assert.ok(qpdfCheck(file).ok, qpdfCheck(file).text);
});

test('renewing a B-LTA file adds fresh validation data and a second document timestamp; everything stays valid', async () => {
  await w.authority.start();
  try {
    const renewed = (await addLtv(blta, { trustRoots: w.roots, config, tsaUrl: w.tsa.url, renew: true })).bytes;
    assert.equal(renewed.subarray(0, blta.length).compare(blta), 0);
    await w.authority.stop();
    const r = verifyPdf(renewed, { trustRoots: w.roots });
    const stamps = r.signatures.filter((s) => s.kind === 'document_timestamp');
    assert.equal(stamps.length, 2);
    for (const s of r.signatures) assert.notEqual(s.verdict, 'invalid', `${s.field}: ${JSON.stringify(s.checks.filter((c) => c.status !== 'ok'))}`);
    assert.equal(stampOf(r).verdict, 'valid');
    const dss = readDss(openPdf(renewed));
    assert.ok(dss.ocsps.length > readDss(openPdf(blta)).ocsps.length, 'fresh OCSP responses were added');
    const file = w.file('renewed.pdf');
    fs.writeFileSync(file, renewed);
    const p = pdfsig(file);
    assert.equal(p.total, 3, p.text);
    assert.match(p.text, /SealDesk_Seal_1[\s\S]*?Signature is Valid\./);
    assert.ok(qpdfCheck(file).ok);
  } finally {
    await w.authority.stop();
  }
});

test('sealdesk ltv FILE -o OUT makes a B-LTA file from the CLI (trust and responders from the data dir); the input is untouched', async () => {
  await w.authority.start();
  const home = w.file('home');
  fs.mkdirSync(home);
  const old = process.env.SEALDESK_HOME;
  process.env.SEALDESK_HOME = home;
  try {
    fs.writeFileSync(w.file('root.pem'), toPem(w.ca.certificate));
    fs.writeFileSync(w.file('tsa-root.pem'), toPem(w.tsa.rootDer));
    assert.equal(await main(['trust', 'add', w.file('root.pem')]), 0);
    assert.equal(await main(['trust', 'add', w.file('tsa-root.pem')]), 0);
    const input = w.file('cli-in.pdf');
    fs.writeFileSync(input, stamped);
    const out = w.file('cli-out.pdf');
    // exit 3: done, but the test TSA (openssl ts) publishes no status for its own certificate, which is said
    assert.equal(await main(['ltv', input, '-o', out, '--tsa', w.tsa.url]), 3);
    assert.ok(fs.readFileSync(input).equals(stamped), 'the input is not modified');
    await w.authority.stop();
    const r = verifyPdf(fs.readFileSync(out), { trustRoots: w.roots });
    assert.equal(stampOf(r).verdict, 'valid');
    assert.equal(r.signatures.filter((s) => s.kind === 'document_timestamp').length, 1);
    assert.notEqual(await main(['ltv', w.file('missing.pdf')]), 0, 'a missing file is an error, not a crash');
  } finally {
    if (old === undefined) delete process.env.SEALDESK_HOME; else process.env.SEALDESK_HOME = old;
    await w.authority.stop();
  }
});

test('sealdesk ltv without -o leaves the input as it was and writes NAME-ltv.pdf beside it', async () => {
  await w.authority.start();
  const old = process.env.SEALDESK_HOME;
  process.env.SEALDESK_HOME = w.file('home');
  try {
    const input = w.file('beside.pdf');
    fs.writeFileSync(input, stamped);
    assert.equal(await main(['ltv', input, '--no-timestamp']), 3);
    assert.ok(fs.readFileSync(input).equals(stamped));
    const out = fs.readFileSync(w.file('beside-ltv.pdf'));
    assert.ok(readDss(openPdf(out)).present);
    assert.ok(out.subarray(0, stamped.length).equals(stamped));
  } finally {
    if (old === undefined) delete process.env.SEALDESK_HOME; else process.env.SEALDESK_HOME = old;
    await w.authority.stop();
  }
});
