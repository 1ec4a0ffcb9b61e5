import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { SignatureReport, VerificationReport } from '../../src/api/verification-report';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { makeWorld, type World } from '../verify/world';
import {
  acroFormIsDirect, itextSign, makePeerPki, missingPeerTools, mutoolSign, pdfsigSign, pdfsigSignPrepared, pdfsigVerdicts, preparedFieldPdf, type PeerPki,
} from './support/peer-signers';

/**
 * Countersigning both ways round with the signers Debian packages (poppler's pdfsig over NSS, iText 5,
 * MuPDF's mutool sign): (a) SealDesk stamps, the partner countersigns — the SealDesk stamp stays
 * valid in SealDesk and in pdfsig; (b) the partner signs first, SealDesk stamps over it — the
 * partner's signature stays valid in SealDesk and in pdfsig (iText writes /AcroForm as a direct
 * dictionary, which SealDesk's stamp must keep working with).
 *
 * Each case is asserted in two parts: the signatures themselves (ByteRange, digest, CMS signature,
 * chain) and "no disallowed change after it" (the change analysis, src/core/verify/changes). Where the second still fails because of the change analysis, the test is
 * marked todo with the reason, so the run shows it without hiding it.
 */
const missing = missingPeerTools();
const skip = missing.length > 0 ? `peer signers missing: ${missing.join(', ')} (scripts/setup.sh installs them)` : false;

type Peer = 'pdfsig' | 'pdfsig-prepared' | 'itext' | 'itext-cades' | 'mutool';
const PEERS: Peer[] = ['pdfsig', 'pdfsig-prepared', 'itext', 'itext-cades', 'mutool'];
const PEER_FIELD: Record<Peer, string> = { pdfsig: 'PdfsigSig', 'pdfsig-prepared': 'PartnerSig', itext: 'ItextSig', 'itext-cades': 'ItextCadesSig', mutool: 'PartnerSig' };
const SUBFILTER: Record<Peer, string> = {
  pdfsig: 'adbe.pkcs7.detached', 'pdfsig-prepared': 'adbe.pkcs7.detached', itext: 'adbe.pkcs7.detached', 'itext-cades': 'ETSI.CAdES.detached', mutool: 'adbe.pkcs7.detached',
};

let world: World;
let pki: PeerPki;
before(async () => {
  if (skip) return;
  world = await makeWorld('countersign');
  pki = makePeerPki(world.file('peer'));
});
after(() => world?.cleanup());

function peerSign(peer: Peer, input: string, output: string): string {
  if (peer === 'pdfsig') pdfsigSign(pki, input, output);
  else if (peer === 'pdfsig-prepared') pdfsigSignPrepared(pki, input, output);
  else if (peer === 'itext' || peer === 'itext-cades') itextSign(pki, input, output, PEER_FIELD[peer], peer === 'itext-cades');
  else mutoolSign(pki, input, output);
  return output;
}

/** mutool and pdfsig -sign sign only a prepared empty field, so their base document has one; the others add their own field. */
async function base(peer: Peer, name: string): Promise<string> {
  return peer === 'mutool' || peer === 'pdfsig-prepared' ? preparedFieldPdf(world.file(`${name}-base.pdf`)) : classicPdf(world.file(`${name}-base.pdf`), 1);
}

const verify = (file: string): VerificationReport => verifyPdf(fs.readFileSync(file), { trustRoots: [world.ca.certificate, pki.rootDer] });
const check = (s: SignatureReport, id: string): { status: string; en: string } => {
  const c = s.checks.find((x) => x.id === id)!;
  return { status: c.status, en: c.message.en };
};
function signatureOf(report: VerificationReport, field: string): SignatureReport {
  const s = report.signatures.find((x) => x.field === field);
  assert.ok(s, `signature ${field} is reported (found: ${report.signatures.map((x) => x.field).join(', ')})`);
  return s;
}

/**
 * The checks of the signature itself, not of what came after it. mutool 1.21 signs with SHA-1: its
 * signature is sound but carries the weak-algorithm warning with the policy date (cms/algorithm-policy.ts).
 */
function assertSignatureSound(s: SignatureReport, what: string, sha1 = false): void {
  for (const id of ['byte_range', 'digest', 'signature', 'signer_chain']) {
    const c = check(s, id);
    if (id === 'signature' && sha1) {
      assert.equal(c.status, 'warning', `${what} ${id}: ${c.en}`);
      assert.match(c.en, /Weak algorithm: SHA-1 \(2030-12-31\)/);
    } else {
      assert.equal(c.status, 'ok', `${what} ${id}: ${c.en}`);
    }
  }
}

const cases = new Map<string, { file: string; earlier: string }>();

/** (a) SealDesk first, then the peer. */
async function sealDeskThenPeer(peer: Peer): Promise<{ file: string; earlier: string }> {
  const key = `a-${peer}`;
  if (!cases.has(key)) {
    const stamped = await world.stamp(await base(peer, key), world.file(`${key}-stamped.pdf`), { kind: 'point', page: 1, x: 150, y: 300 });
    cases.set(key, { file: peerSign(peer, stamped, world.file(`${key}-countersigned.pdf`)), earlier: 'SealDesk_Seal_1' });
  }
  return cases.get(key)!;
}

/** (b) The peer first, then SealDesk. */
async function peerThenSealDesk(peer: Peer): Promise<{ file: string; earlier: string }> {
  const key = `b-${peer}`;
  if (!cases.has(key)) {
    const signed = peerSign(peer, await base(peer, key), world.file(`${key}-peer.pdf`));
    cases.set(key, { file: await world.stamp(signed, world.file(`${key}-stamped.pdf`), { kind: 'point', page: 1, x: 150, y: 300 }), earlier: PEER_FIELD[peer] });
  }
  return cases.get(key)!;
}

/** Change-analysis cases that still fail at this commit, with why (revision-changes.ts, the change-rules work). */
const CHANGE_ANALYSIS_TODO: Record<string, string | undefined> = {
  // none left: pdfsig's /M on the prepared field and iText's /DR /XObject are allowed by the rules (change-rules)
};

for (const peer of PEERS) {
  test(`(a) SealDesk stamps, ${peer} countersigns: both signatures are sound in SealDesk, and pdfsig calls both valid`, { skip }, async () => {
    const { file } = await sealDeskThenPeer(peer);
    const report = verify(file);
    assertSignatureSound(signatureOf(report, 'SealDesk_Seal_1'), 'SealDesk stamp');
    assert.equal(check(signatureOf(report, 'SealDesk_Seal_1'), 'seal').status, 'ok');
    assert.equal(check(signatureOf(report, 'SealDesk_Seal_1'), 'impression').status, 'ok');
    assertSignatureSound(signatureOf(report, PEER_FIELD[peer]), `${peer} countersignature`, peer === 'mutool');
    assert.equal(signatureOf(report, PEER_FIELD[peer]).subFilter, SUBFILTER[peer]);
    const ps = pdfsigVerdicts(file);
    assert.deepEqual(ps.byField, { SealDesk_Seal_1: true, [PEER_FIELD[peer]]: true }, ps.text);
  });

  test(`(a) SealDesk stamps, ${peer} countersigns: the SealDesk stamp reports no disallowed change`, { skip, todo: CHANGE_ANALYSIS_TODO[`a-${peer}`] }, async () => {
    const { file, earlier } = await sealDeskThenPeer(peer);
    const s = signatureOf(verify(file), earlier);
    assert.equal(check(s, 'modifications').status, 'ok', check(s, 'modifications').en);
    assert.notEqual(s.verdict, 'invalid');
  });

  test(`(b) ${peer} signs first, SealDesk stamps over it: both signatures are sound in SealDesk, and pdfsig calls both valid`, { skip }, async () => {
    const { file } = await peerThenSealDesk(peer);
    const report = verify(file);
    assertSignatureSound(signatureOf(report, PEER_FIELD[peer]), `${peer} signature`, peer === 'mutool');
    assertSignatureSound(signatureOf(report, 'SealDesk_Seal_1'), 'SealDesk stamp');
    const ps = pdfsigVerdicts(file);
    assert.deepEqual(ps.byField, { [PEER_FIELD[peer]]: true, SealDesk_Seal_1: true }, ps.text);
  });

  test(`(b) ${peer} signs first, SealDesk stamps over it: the ${peer} signature reports no disallowed change`, { skip, todo: CHANGE_ANALYSIS_TODO[`b-${peer}`] }, async () => {
    const { file, earlier } = await peerThenSealDesk(peer);
    const s = signatureOf(verify(file), earlier);
    assert.equal(check(s, 'modifications').status, 'ok', check(s, 'modifications').en);
    assert.notEqual(s.verdict, 'invalid');
  });
}

test('iText writes /AcroForm as a direct dictionary, and SealDesk stamps over such a file', { skip }, async () => {
  const { file } = await peerThenSealDesk('itext');
  assert.equal(acroFormIsDirect(world.file('b-itext-peer.pdf')), true, 'the iText output has a direct /AcroForm');
  assert.ok(fs.existsSync(file));
});

test('poppler (NSS) writes its CMS as BER with indefinite lengths, and SealDesk verifies it', { skip }, async () => {
  const { file } = await sealDeskThenPeer('pdfsig');
  const report = verify(file);
  const s = signatureOf(report, 'PdfsigSig');
  assert.equal(check(s, 'signature').status, 'ok');
  const bytes = fs.readFileSync(file);
  const at = bytes.lastIndexOf('/Contents <');
  assert.equal(bytes.subarray(at + 11, at + 15).toString('latin1').toLowerCase(), '3080', 'an indefinite-length SEQUENCE');
});
