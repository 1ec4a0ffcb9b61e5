import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { PermitPayload, PlatformKey, RecordReceiptPayload, TrustBundlePayload } from '../../src/platform/api/contract';
import { verifyEnvelope } from '../../src/platform/client-verify';
import { openCheckpoint } from '../../src/platform/log/checkpoint';
import { verifyInclusion } from '../../src/platform/log/merkle';
import { nodeSha256 } from '../../src/platform/log/node-hasher';
import { noteVerifier } from '../../src/platform/log/log-store';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { BACKENDS, createPlatformWorld, sealInUse, type Keeper, type PlatformWorld } from './support/platform-world';

let pg: TestPostgres;
before(async () => { pg = await startPostgres(); });
after(() => pg?.cleanup());

const digestOf = (text: string) => ({ alg: 'sha256' as const, hex: crypto.createHash('sha256').update(text).digest('hex') });
type Failure = { error: { code: string; zh: string; en: string } };

for (const backend of BACKENDS) {
  describe(`stamping permits on ${backend}`, () => {
    let w: PlatformWorld;
    let keeper: Keeper;
    let esID: string;
    let keys: PlatformKey[];
    let bundle: TrustBundlePayload;
    before(async () => {
      w = await createPlatformWorld(backend, { pg });
      keeper = await w.newKeeper('KEEPER-P');
      ({ esID } = await sealInUse(w, keeper));
      const tb = await w.client().call('trustBundle');
      const env = tb.body as { payload: string };
      bundle = JSON.parse(env.payload) as TrustBundlePayload;
      keys = bundle.platformKeys;
      assert.ok(verifyEnvelope(tb.body, keys, { type: 'trust-bundle' }).ok);
    });
    after(async () => { await w?.close(); });

    test('a keeper with the seal in use gets a signed permit for one document digest, and the record gets a receipt with an inclusion proof', async () => {
      const c = w.client();
      const doc = digestOf('合同正文 v1');
      const r = await c.signed<{ payload: string }>('permit', { esID, documentDigest: doc, nonce: 'client-nonce-1' }, keeper.request);
      assert.equal(r.status, 200, r.text);
      const v = verifyEnvelope<PermitPayload>(r.body, keys, { type: 'permit', nonce: 'client-nonce-1', now: new Date() });
      assert.ok(v.ok, JSON.stringify(v));
      assert.equal(v.payload.esID, esID);
      assert.equal(v.payload.state, 'in_use');
      assert.deepEqual(v.payload.documentDigest, doc);
      assert.equal(v.payload.certificateSha256, crypto.createHash('sha256').update(keeper.signer.certificate).digest('hex'));
      assert.ok(Date.parse(v.payload.nextUpdate) - Date.parse(v.payload.producedAt) <= 15 * 60_000, 'short-lived');

      const rec = await c.signed('stampingRecord', { permitId: v.payload.permitId, signatureDigest: digestOf('sig'), documentDigest: doc }, keeper.request);
      assert.equal(rec.status, 200, rec.text);
      const receipt = verifyEnvelope<RecordReceiptPayload>(rec.body, keys, { type: 'stamping-receipt' });
      assert.ok(receipt.ok);
      const { checkpoint } = await openCheckpoint(nodeSha256, receipt.payload.checkpoint, [noteVerifier(keys[0]!.spki, bundle.logOrigin)], { origin: bundle.logOrigin });
      const proof = receipt.payload.inclusionProof.map((p) => new Uint8Array(Buffer.from(p, 'base64')));
      const ok = await verifyInclusion(nodeSha256, receipt.payload.logIndex, checkpoint.size, Buffer.from(receipt.payload.leafHash, 'base64'), proof, checkpoint.root);
      assert.ok(ok.ok, JSON.stringify(ok));
      const twice = await c.signed<Failure>('stampingRecord', { permitId: v.payload.permitId, signatureDigest: digestOf('sig'), documentDigest: doc }, keeper.request);
      assert.equal(twice.body.error.code, 'RECORD_EXISTS');
    });

    test('a changed permit fails verification with the platform key', async () => {
      const r = await w.client().signed<{ payload: string; signature: unknown }>('permit', { esID, documentDigest: digestOf('x') }, keeper.request);
      const changed = { ...r.body, payload: r.body.payload.replace('"in_use"', '"in_use" ') };
      assert.equal(verifyEnvelope(changed, keys).ok, false);
      const otherDigest = { ...r.body, payload: r.body.payload.replace(/"hex":"[0-9a-f]{4}/, '"hex":"0000') };
      const check = verifyEnvelope(otherDigest, keys);
      assert.equal(check.ok, false);
      assert.equal(!check.ok && check.code, 'ENVELOPE_BAD_SIGNATURE');
      const wrongKey: PlatformKey[] = [{ ...keys[0]!, spki: Buffer.from(keeper.token.spki).toString('base64') }];
      assert.equal(verifyEnvelope(r.body, wrongKey).ok, false);
    });

    test('replayed nonce, stale time, wrong key and tampered body are refused', async () => {
      const c = w.client();
      const nonce = (await c.call<{ nonce: string }>('nonce')).body.nonce;
      const body = { esID, documentDigest: digestOf('replay') };
      assert.equal((await c.signed('permit', body, keeper.request, { nonce })).status, 200);
      const replay = await c.signed<Failure>('permit', body, keeper.request, { nonce });
      assert.equal(replay.status, 401);
      assert.equal(replay.body.error.code, 'SIGNED_REQUEST_NONCE');
      const made = await c.signed<Failure>('permit', body, keeper.request, { nonce: 'never-issued-by-the-platform' });
      assert.equal(made.body.error.code, 'SIGNED_REQUEST_NONCE');
      const stale = await c.signed<Failure>('permit', body, keeper.request, { time: new Date(Date.now() - 10 * 60_000) });
      assert.equal(stale.body.error.code, 'SIGNED_REQUEST_STALE');
      const other = await w.newKeeper('KEEPER-OTHER');
      const wrongKey = await c.signed<Failure>('permit', body, { ...keeper.request, sign: (m) => other.signer.sign(m) });
      assert.equal(wrongKey.body.error.code, 'SIGNED_REQUEST_BAD_SIGNATURE');
      for (const tamper of [(t: string) => t.replace(body.documentDigest.hex, digestOf('other').hex), (t: string) => t.replace('{', '{ ')]) {
        const tampered = await c.signed<Failure>('permit', body, keeper.request, { tamper });
        assert.equal(tampered.body.error.code, 'SIGNED_REQUEST_BAD_SIGNATURE', 'a body changed after signing, even by a space');
      }
      const unsigned = await c.call<Failure>('permit', { body });
      assert.equal(unsigned.body.error.code, 'SIGNED_REQUEST_MISSING');
      const notInSeal = await c.signed<Failure>('permit', body, other.request);
      assert.equal(notInSeal.status, 403);
      assert.equal(notInSeal.body.error.code, 'CERT_NOT_IN_SEAL');
    });

    test('no permit for an unknown, suspended, lost, cancelled or expired seal', async () => {
      const c = w.client();
      const body = (id: string) => ({ esID: id, documentDigest: digestOf('doc') });
      assert.equal((await c.signed<Failure>('permit', body('NO-SUCH-ESID'), keeper.request)).body.error.code, 'SEAL_UNKNOWN');
      const admin = await w.as('unitadmin');
      for (const [action, label] of [['suspend', 'S'], ['lost', 'L'], ['cancel', 'C']] as const) {
        const k = await w.newKeeper(`KEEPER-${label}`);
        const s = await sealInUse(w, k);
        assert.equal((await c.signed('permit', body(s.esID), k.request)).status, 200, 'in use: permitted');
        assert.equal((await admin.call('stateEvent', { params: { esID: s.esID }, body: { action, reason: action } })).status, 200);
        const refused = await c.signed<Failure>('permit', body(s.esID), k.request);
        assert.equal(refused.status, 409, `${action}: ${refused.text}`);
        assert.equal(refused.body.error.code, 'SEAL_NOT_IN_USE');
        if (action === 'suspend') {
          await admin.call('stateEvent', { params: { esID: s.esID }, body: { action: 'resume', reason: 'back' } });
          assert.equal((await c.signed('permit', body(s.esID), k.request)).status, 200, 'resumed: permitted again');
        }
      }
      const k = await w.newKeeper('KEEPER-EXP');
      const expired = await sealInUse(w, k, { validStart: new Date(Date.now() - 10 * 86400_000), validEnd: new Date(Date.now() - 86400_000) });
      const e = await c.signed<Failure>('permit', body(expired.esID), k.request);
      assert.equal(e.body.error.code, 'SEAL_EXPIRED');
    });

    test('where the unit requires 用印审批, a permit needs an approval of the document or a count within a window', async () => {
      const k = await w.newKeeper('KEEPER-U');
      const { esID: strict } = await sealInUse(w, k, { unitUser: 'applicant2', approver: 'approver2' });
      const c = w.client();
      const doc = digestOf('需审批的合同');
      const none = await c.signed<Failure>('permit', { esID: strict, documentDigest: doc }, k.request);
      assert.equal(none.body.error.code, 'USE_APPROVAL_REQUIRED');
      const approver = await w.as('approver2');
      const a = await approver.call<{ id: string }>('useApprovalCreate', { body: { esID: strict, scope: { kind: 'document', documentDigest: doc }, reason: '同意用印' } });
      assert.equal(a.status, 201, a.text);
      const ok = await c.signed<{ payload: string }>('permit', { esID: strict, documentDigest: doc }, k.request);
      assert.equal(ok.status, 200, ok.text);
      assert.equal((JSON.parse(ok.body.payload) as PermitPayload).useApproval?.id, a.body.id);
      const otherDoc = await c.signed<Failure>('permit', { esID: strict, documentDigest: digestOf('另一份') }, k.request);
      assert.equal(otherDoc.body.error.code, 'USE_APPROVAL_REQUIRED');
      const now = Date.now();
      await approver.call('useApprovalCreate', { body: { esID: strict, scope: { kind: 'count', count: 2, notBefore: new Date(now - 60_000).toISOString(), notAfter: new Date(now + 3600_000).toISOString() }, reason: '本周两次' } });
      assert.equal((await c.signed('permit', { esID: strict, documentDigest: digestOf('一') }, k.request)).status, 200);
      assert.equal((await c.signed('permit', { esID: strict, documentDigest: digestOf('二') }, k.request)).status, 200);
      const third = await c.signed<Failure>('permit', { esID: strict, documentDigest: digestOf('三') }, k.request);
      assert.equal(third.body.error.code, 'USE_APPROVAL_REQUIRED', 'the count is used up');
      const wrongUnit = await (await w.as('approver')).call<Failure>('useApprovalCreate', { body: { esID: strict, scope: { kind: 'document', documentDigest: doc }, reason: 'x' } });
      assert.equal(wrongUnit.body.error.code, 'OTHER_UNIT');
    });
  });
}
