/**
 * Signed checkpoints: signed on a real SoftHSM2 token (ECDSA P-256; SoftHSM has no SM2) and with a
 * software SM2 key, checked with Web Crypto as the console does; the signed note parses back to the
 * same size, root and time; changed text, changed signature, another key, another log and malformed
 * notes are refused. Then `verifyLog` over a log and its checkpoints, with each kind of tampering
 * named at the right entry.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { closeModule, tokenSigner, withUserLogin } from '../../src/core/pkcs11';
import { SealDeskError } from '../../src/core/errors';
import { sm2GenerateKeyPair, sm2Sign, sm2Verify } from '../../src/core/crypto/sm2';
import { MemoryMerkleTree, hashLeaf, toBase64, webCryptoSha256 } from '../../src/platform/log/merkle';
import { nodeSha256 } from '../../src/platform/log/node-hasher';
import { checkpointText, openCheckpoint, parseCheckpointText, signCheckpoint, type Checkpoint } from '../../src/platform/log/checkpoint';
import { noteKeyId, type NoteKey, type NoteSigner, type NoteVerifier } from '../../src/platform/log/signed-note';
import { verifyLog, type LogEntry } from '../../src/platform/log/verify-log';
import { createTestToken, type TestToken } from '../support/tokens';

const ORIGIN = 'seal-platform.example/log';
const sha256 = nodeSha256;
const rejectsWith = (code: string) => (e: unknown): boolean => e instanceof SealDeskError && e.code === code;

/** An SM2 key as a note key: SPKI built from the point (id-ecPublicKey + sm2p256v1). */
function sm2NoteKey(name: string): { key: NoteKey; signer: NoteSigner; verifier: NoteVerifier } {
  const kp = sm2GenerateKeyPair();
  const spki = Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex'), Buffer.from(kp.publicPoint)]);
  const key: NoteKey = { name, type: 'sm2', spki };
  return {
    key,
    signer: { key, sign: async (m) => sm2Sign(m, kp.privateKeyHex) },
    verifier: { key, verify: async (m, s) => sm2Verify(m, s, kp.publicPoint) },
  };
}

function softwareP256(name: string): { signer: NoteSigner; verifier: NoteVerifier } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key: NoteKey = { name, type: 'ecdsa-p256', spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
  return { signer: { key, sign: async (m) => new Uint8Array(crypto.sign('sha256', m, privateKey)) }, verifier: { key } };
}

describe('signed checkpoints', () => {
  let token: TestToken;
  let tokenKey: NoteKey;
  before(async () => {
    token = await createTestToken({ label: 'PLATFORM-LOG', algorithm: 'EC-P256' });
    tokenKey = { name: ORIGIN, type: 'ecdsa-p256', spki: token.spki };
  });
  after(() => { closeModule(token.mod); token.world.cleanup(); });

  /** Signs on the SoftHSM token, as the server does on its PKCS#11 token. */
  const signOnToken = (c: Checkpoint): Promise<string> =>
    withUserLogin(token.mod, token.token, token.pin(), (s) => {
      const onToken = tokenSigner(s, token.ckaId);
      return signCheckpoint(sha256, c, [{ key: tokenKey, sign: (m) => onToken.sign(m, 'ecdsa-sha256') }]);
    });

  const sample = async (size: number): Promise<Checkpoint> => ({ origin: ORIGIN, size, root: await sha256(new TextEncoder().encode(`root ${size}`)), time: new Date('2026-12-04T10:11:12.345Z') });

  test('a checkpoint signed on the token reads back (Web Crypto verification) with its size, root and time, in the C2SP layout', async () => {
    const c = await sample(20852163);
    const note = await signOnToken(c);
    const lines = note.split('\n');
    assert.deepEqual(lines.slice(0, 5), [ORIGIN, '20852163', toBase64(c.root), 'time 2026-12-04T10:11:12.345Z', '']);
    assert.match(lines[5]!, new RegExp(`^— ${ORIGIN} [A-Za-z0-9+/]+=*$`));
    assert.equal(lines[6], '');
    // The key ID is SHA-256 of the SPKI (signed-note type 0x02), the first four bytes of the signature field.
    const sigField = Buffer.from(lines[5]!.split(' ')[2]!, 'base64');
    assert.equal(sigField.subarray(0, 4).toString('hex'), crypto.createHash('sha256').update(token.spki).digest().subarray(0, 4).toString('hex'));
    const opened = await openCheckpoint(webCryptoSha256, note, [{ key: tokenKey }], { origin: ORIGIN });
    assert.equal(opened.checkpoint.size, 20852163);
    assert.deepEqual(opened.checkpoint.root, c.root);
    assert.equal(opened.checkpoint.time?.toISOString(), '2026-12-04T10:11:12.345Z');
    assert.deepEqual(opened.signedBy, [ORIGIN]);
    // And OpenSSL agrees that the token's signature is ECDSA-SHA256 over the note text.
    const pub = crypto.createPublicKey({ key: Buffer.from(token.spki), format: 'der', type: 'spki' });
    assert.ok(crypto.verify('sha256', Buffer.from(checkpointText(c)), pub, sigField.subarray(4)));
  });

  test('a changed size, root, time or origin, a changed signature byte, or a signature moved to another checkpoint is refused', async () => {
    const c = await sample(7);
    const note = await signOnToken(c);
    const verifiers = [{ key: tokenKey }];
    const other = await signOnToken(await sample(8));
    const tampered: [string, string][] = [
      ['size', note.replace('\n7\n', '\n8\n')],
      ['root', note.replace(toBase64(c.root), toBase64(new Uint8Array(32)))],
      ['time', note.replace('10:11:12.345Z', '10:11:13.345Z')],
      ['origin', note.replace(`${ORIGIN}\n7\n`, 'other.example/log\n7\n')],
      ['signature moved', `${checkpointText(c)}\n${other.split('\n\n')[1]!}`],
    ];
    for (const [what, bad] of tampered) {
      await assert.rejects(openCheckpoint(webCryptoSha256, bad, verifiers), rejectsWith('NOTE_SIGNATURE_INVALID'), what);
    }
    const sigLine = note.split('\n')[5]!;
    const raw = Buffer.from(sigLine.split(' ')[2]!, 'base64');
    for (const at of [4, 10, raw.length - 1]) {
      const flipped = Buffer.from(raw); flipped[at]! ^= 0x40;
      const bad = note.replace(sigLine, `— ${ORIGIN} ${flipped.toString('base64')}`);
      await assert.rejects(openCheckpoint(webCryptoSha256, bad, verifiers), (e: unknown) => e instanceof SealDeskError && /NOTE_(SIGNATURE_INVALID|MALFORMED)/.test(e.code), `byte ${at}`);
    }
    // The key ID changed: the signature is from an unknown key, so nothing trusted signed it.
    const idFlipped = Buffer.from(raw); idFlipped[0]! ^= 1;
    await assert.rejects(openCheckpoint(webCryptoSha256, note.replace(sigLine, `— ${ORIGIN} ${idFlipped.toString('base64')}`), verifiers), rejectsWith('NOTE_UNSIGNED'));
    // Another log's key, or a checkpoint of another origin signed by a trusted key.
    const stranger = softwareP256(ORIGIN);
    await assert.rejects(openCheckpoint(webCryptoSha256, note, [stranger.verifier]), rejectsWith('NOTE_UNSIGNED'));
    const elsewhere = await signCheckpoint(sha256, { ...c, origin: 'other.example/log' }, [stranger.signer]);
    await assert.rejects(openCheckpoint(webCryptoSha256, elsewhere, [stranger.verifier], { origin: ORIGIN }), rejectsWith('CHECKPOINT_WRONG_LOG'));
  });

  test('an SM2-signed checkpoint (type 0xff + identifier) verifies with the SM2 callback and fails when changed; unknown extra signatures are ignored', async () => {
    const sm2 = sm2NoteKey(ORIGIN);
    const witness = softwareP256('witness.example/w1');
    const c = await sample(42);
    const note = await signCheckpoint(sha256, c, [sm2.signer, witness.signer]);
    assert.equal((await noteKeyId(sha256, sm2.key)).length, 4);
    const opened = await openCheckpoint(webCryptoSha256, note, [sm2.verifier]);
    assert.equal(opened.checkpoint.size, 42);
    assert.deepEqual(opened.signedBy, [ORIGIN]);
    assert.deepEqual((await openCheckpoint(webCryptoSha256, note, [sm2.verifier, witness.verifier])).signedBy, [ORIGIN, 'witness.example/w1']);
    await assert.rejects(openCheckpoint(webCryptoSha256, note.replace('\n42\n', '\n43\n'), [sm2.verifier]), rejectsWith('NOTE_SIGNATURE_INVALID'));
    await assert.rejects(openCheckpoint(webCryptoSha256, note, [{ key: sm2.key }]), rejectsWith('NOTE_NO_VERIFIER'));
  });

  test('malformed checkpoints and notes are refused with a reason, never a crash', async () => {
    const good = checkpointText(await sample(5));
    const root = toBase64(await sha256(new Uint8Array(1)));
    const bad = [
      '', 'origin\n5\n', `origin\n05\n${root}\n`, `origin\n-1\n${root}\n`, `origin\n5.0\n${root}\n`, `origin\n9007199254740993\n${root}\n`,
      `origin\n5\n${root.slice(0, -4)}\n`, `origin\n5\n${root}`, `or igin\n5\n${root}\n`, `\n5\n${root}\n`, `origin\n5\n${root}\n\n`,
      `origin\n5\n${root}\ntime yesterday\n`, `origin\n5\n${root}\ntime 2026-13-45T99:99:99Z\n`, `origin\n5\n${root.replace('=', 'A')}\n`,
    ];
    for (const text of bad) assert.throws(() => parseCheckpointText(text), rejectsWith('CHECKPOINT_MALFORMED'), JSON.stringify(text));
    assert.equal(parseCheckpointText(`${good.slice(0, -1)}\nvendor-extension abc\n`).extensions?.[0], 'vendor-extension abc');
    const { verifier, signer } = softwareP256(ORIGIN);
    const note = await signCheckpoint(sha256, await sample(5), [signer]);
    const notes = [
      note.replace('\n\n', '\n'), note.slice(0, -1), note.replace('— ', '-- '), `${note}— ${ORIGIN} !!!\n`, note.replace('\n\n', '\n\u0007\n'),
      `${note.split('\n\n')[0]}\n\n`, 'x'.repeat(70000), `${good}\n${'— a AAAAAAA=\n'.repeat(40)}`,
    ];
    for (const n of notes) {
      await assert.rejects(openCheckpoint(webCryptoSha256, n, [verifier]), (e: unknown) => e instanceof SealDeskError && /^(NOTE|CHECKPOINT)_/.test(e.code), JSON.stringify(n.slice(0, 60)));
    }
  });
});

describe('verifyLog', () => {
  const { signer, verifier } = softwareP256(ORIGIN);
  const entryBytes = (i: number): Uint8Array => new TextEncoder().encode(JSON.stringify({ kind: 'state-change', esID: `ES${i}`, i }));

  /** A log of n entries with a checkpoint signed at each of `at`. */
  async function world(n: number, at: number[]): Promise<{ entries: LogEntry[]; notes: string[] }> {
    const tree = new MemoryMerkleTree(sha256);
    const entries: LogEntry[] = [];
    const notes: string[] = [];
    for (let i = 0; i < n; i++) {
      const leafHash = await hashLeaf(sha256, entryBytes(i));
      entries.push({ index: i, data: entryBytes(i), leafHash });
      await tree.appendLeafHash(leafHash);
      if (at.includes(i + 1)) notes.push(await signCheckpoint(sha256, { origin: ORIGIN, size: i + 1, root: await tree.root(), time: new Date() }, [signer]));
    }
    return { entries, notes };
  }

  test('an untouched log verifies against all its checkpoints, streamed as an async source', async () => {
    const { entries, notes } = await world(300, [1, 2, 64, 100, 255, 256, 300]);
    async function* stream(): AsyncGenerator<LogEntry> { for (const e of entries) yield e; }
    const v = await verifyLog(sha256, stream(), notes, [verifier], { origin: ORIGIN });
    assert.ok(v.ok, JSON.stringify(v));
    assert.equal(v.size, 300);
    assert.equal(v.checkpoints, 7);
  });

  test('each kind of tampering names the first bad entry', async () => {
    const { entries, notes } = await world(200, [50, 100, 150, 200]);
    const changed = (i: number, keepHash: boolean): LogEntry[] => entries.map((e) => (e.index === i ? { ...e, data: entryBytes(i + 1000), leafHash: keepHash ? e.leafHash : undefined } : e));
    const cases: [string, LogEntry[], string[], string, number][] = [
      ['entry 120 changed, stored leaf hash kept', changed(120, true), notes, 'LOG_LEAF_MISMATCH', 120],
      ['entry 120 changed with no stored leaf hash', changed(120, false), notes, 'LOG_ROOT_MISMATCH', 100],
      ['entry 77 removed', entries.filter((e) => e.index !== 77), notes, 'LOG_SEQUENCE_BROKEN', 77],
      ['entry 30 repeated', [...entries.slice(0, 31), entries[30]!, ...entries.slice(31)], notes, 'LOG_SEQUENCE_BROKEN', 31],
      ['the last 20 entries cut off', entries.slice(0, 180), notes, 'LOG_TRUNCATED', 180],
    ];
    for (const [what, es, ns, code, first] of cases) {
      const v = await verifyLog(sha256, es, ns, [verifier]);
      assert.equal(v.ok, false, what);
      if (!v.ok) {
        assert.equal(v.code, code, what);
        assert.equal(v.firstBadIndex, first, what);
        assert.ok(v.zh.length > 0 && v.en.length > 0);
      }
    }
  });

  test('a forged or forked checkpoint is named: bad signature, two roots for one size', async () => {
    const { entries, notes } = await world(60, [30, 60]);
    const forged = [...notes];
    forged[1] = forged[1]!.replace('\n60\n', '\n61\n');
    const v1 = await verifyLog(sha256, entries, forged, [verifier]);
    assert.ok(!v1.ok && v1.code === 'LOG_CHECKPOINT_INVALID' && v1.checkpoint === 1);
    const fork = await signCheckpoint(sha256, { origin: ORIGIN, size: 30, root: new Uint8Array(32).fill(7) }, [signer]);
    const v2 = await verifyLog(sha256, entries, [...notes, fork], [verifier]);
    assert.ok(!v2.ok && v2.code === 'LOG_FORKED' && v2.firstBadIndex === 30);
  });
});
