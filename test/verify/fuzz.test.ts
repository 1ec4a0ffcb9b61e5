import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { isSealDeskError } from '../../src/core/errors';
import { openPdf } from '../../src/core/pdf/document';
import type { VerificationReport } from '../../src/api/verification-report';
import { buildPdf } from '../pdf/support/handmade-pdf';
import { makeWorld, type World } from './world';
import { makeGmWorld, type GmWorld } from '../gm/support/gm-world';
import { Forge, offsetOf, renderHash } from './support/forge';
import { contractObjects, lastBody, sizeOf } from './support/structural-forgeries';

/**
 * Fuzzing stamped contracts (PAdES and GM) with a fixed seed and a bounded count: byte flips,
 * inserted and deleted bytes, incremental updates built from random edits of existing objects
 * (numbers, names, keys added, repeated or dropped, content rewritten), objects defined twice and
 * objects appended after %%EOF. The oracle: a mutant whose signed bytes changed, or whose page
 * poppler renders differently from the original (or cannot render), is never reported valid; and
 * nothing but a SealDeskError is ever thrown.
 */
const SEED = 0x5ea1d35c;
const PER_PROFILE = 70;

/** mulberry32: small, fast, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Mutant { kind: string; bytes: Buffer; signedChanged: boolean }

interface Base { bytes: Buffer; signed: Array<[number, number]>; objects: number[] }

function baseOf(bytes: Buffer): Base {
  const doc = openPdf(bytes);
  const br = doc.signatureFields()[0]!.value!.byteRange as [number, number, number, number];
  const objects = [...new Set(doc.revisions.flatMap((r) => [...r.entries].filter(([, e]) => e.type === 'offset').map(([n]) => n)))];
  return { bytes, signed: [[br[0], br[0] + br[1]], [br[2], br[2] + br[3]]], objects };
}

const inSigned = (b: Base, at: number): boolean => b.signed.some(([s, e]) => at >= s && at < e);

function randomEdit(body: string, rnd: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  switch (Math.floor(rnd() * 7)) {
    case 0: { // a number changed
      const nums = [...body.matchAll(/(?<![\w.])\d+(?:\.\d+)?(?![\w.])/g)];
      if (nums.length === 0) return body;
      const m = pick(nums);
      return body.slice(0, m.index) + String(Math.floor(rnd() * 900)) + body.slice(m.index! + m[0].length);
    }
    case 1: { // a name changed
      const names = [...body.matchAll(/\/[A-Za-z][\w.-]*/g)];
      if (names.length === 0) return body;
      const m = pick(names);
      return body.slice(0, m.index) + pick(['/Courier', '/Annots', '/Contents', '/Resources', '/XObject', '/Rect', '/Kids']) + body.slice(m.index! + m[0].length);
    }
    case 2: { // a key added at the end of the outer dictionary
      const at = body.lastIndexOf('>>');
      return at < 0 ? body : `${body.slice(0, at)}${pick(['/Foo 1 ', '/Contents 4 0 R ', '/Rotate 90 ', '/F 0 ', '/NeedAppearances true ', '/Type /XRef '])}${body.slice(at)}`;
    }
    case 3: { // an existing entry repeated with another value
      const m = /\/(\w+)\s+([^/>\]\s]+)/.exec(body);
      const at = body.lastIndexOf('>>');
      return m && at >= 0 ? `${body.slice(0, at)}/${m[1]} ${pick(['0', '1 0 R', '/X', '[0 0 10 10]'])} ${body.slice(at)}` : body;
    }
    case 4: { // an entry dropped
      const entries = [...body.matchAll(/\/\w+\s+(?:\d+ \d+ R|\/\w+|\d+)/g)];
      if (entries.length === 0) return body;
      const m = pick(entries);
      return body.slice(0, m.index) + body.slice(m.index! + m[0].length);
    }
    case 5: // content rewritten (text in a content stream keeps its length)
      return body.replace(/\(Pay 100 yuan\)/, '(Pay 900 yuan)');
    default: // saved again unchanged
      return body;
  }
}

function mutate(b: Base, rnd: () => number): Mutant {
  const bytes = b.bytes;
  const at = Math.floor(rnd() * bytes.length);
  const kind = Math.floor(rnd() * 6);
  if (kind === 0) {
    const out = Buffer.from(bytes);
    out[at] = (out[at]! ^ (1 << Math.floor(rnd() * 8))) & 0xff;
    return { kind: `flip@${at}`, bytes: out, signedChanged: inSigned(b, at) };
  }
  if (kind === 1) {
    const ins = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256)));
    // Inserting shifts everything after: the signed bytes change unless it lands after the end.
    return { kind: `insert@${at}`, bytes: Buffer.concat([bytes.subarray(0, at), ins, bytes.subarray(at)]), signedChanged: at < b.signed[1]![1] };
  }
  if (kind === 2) {
    const n = 1 + Math.floor(rnd() * 16);
    return { kind: `delete@${at}+${n}`, bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + n))]), signedChanged: at < b.signed[1]![1] };
  }
  const num = b.objects[Math.floor(rnd() * b.objects.length)]!;
  let body: string;
  try { body = lastBody(bytes, num); } catch { body = 'null'; }
  const edited = randomEdit(body, rnd);
  const f = new Forge(bytes);
  const trailer = `<< /Size ${sizeOf(bytes) + 2} /Root 1 0 R >>`;
  if (kind === 3) {
    const o = f.obj(num, edited);
    return { kind: `update ${num}`, bytes: f.table([[num, o]], trailer).bytes(), signedChanged: false };
  }
  if (kind === 4) { // the object defined twice in one section, the edit first or second
    const o = f.obj(num, edited);
    const old = offsetOf(bytes, num);
    const rows: Array<[number, number]> = rnd() < 0.5 ? [[num, o], [num, old]] : [[num, old], [num, o]];
    return { kind: `twice ${num}`, bytes: f.table(rows, trailer).bytes(), signedChanged: false };
  }
  f.obj(num, edited); // appended after %%EOF, no xref
  return { kind: `appended ${num}`, bytes: f.bytes(), signedChanged: false };
}

let world: World;
let gm: GmWorld;
const bases: Array<{ profile: string; base: Base; verify: (b: Uint8Array) => VerificationReport; dir: string; original: string | null }> = [];
before(async () => {
  world = await makeWorld('fuzz');
  gm = await makeGmWorld('fuzz');
  const contract = buildPdf(contractObjects(), '<< /Size 6 /Root 1 0 R >>');
  fs.writeFileSync(world.file('base.pdf'), contract);
  fs.writeFileSync(gm.file('base.pdf'), contract);
  const pades = await world.stamp(world.file('base.pdf'), world.file('stamped.pdf'), { kind: 'point', page: 1, x: 400, y: 200 });
  const sm2 = await gm.stamp(gm.file('base.pdf'), gm.file('stamped.pdf'), { placement: { kind: 'point', page: 1, x: 400, y: 200 } });
  bases.push({ profile: 'PAdES', base: baseOf(fs.readFileSync(pades)), verify: (b) => verifyPdf(b, { trustRoots: [world.ca.certificate] }), dir: world.dir, original: renderHash(pades, 'poppler', world.dir) });
  bases.push({ profile: 'GM', base: baseOf(fs.readFileSync(sm2)), verify: (b) => verifyPdf(b, { trustRoots: [gm.root.der] }), dir: gm.dir, original: renderHash(sm2, 'poppler', gm.dir) });
});
after(() => { world.cleanup(); gm.cleanup(); });

test(`fuzzed stamped contracts (seed ${SEED.toString(16)}, ${PER_PROFILE} mutants per profile): no changed mutant is valid, nothing but SealDeskError is thrown`, () => {
  const tally: Record<string, number> = {};
  for (const { profile, base, verify, dir, original } of bases) {
    assert.equal(verify(base.bytes).verdict, 'valid', `${profile}: the unmutated stamp is valid`);
    const rnd = prng(SEED ^ (profile === 'GM' ? 0x9e3779b9 : 0));
    for (let i = 0; i < PER_PROFILE; i++) {
      const m = mutate(base, rnd);
      let r: VerificationReport | undefined;
      try {
        r = verify(m.bytes);
      } catch (e) {
        assert.ok(isSealDeskError(e), `${profile} #${i} ${m.kind}: threw a non-SealDeskError: ${String(e)}`);
      }
      const valid = r?.verdict === 'valid';
      tally[`${profile} ${valid ? 'valid' : r ? 'not valid' : 'refused'}`] = (tally[`${profile} ${valid ? 'valid' : r ? 'not valid' : 'refused'}`] ?? 0) + 1;
      if (!valid) continue;
      assert.equal(m.signedChanged, false, `${profile} #${i} ${m.kind}: signed bytes changed, yet valid:\n${renderReportText(r!)}`);
      // Reported valid with the signed bytes intact: poppler must show exactly the original page.
      const file = `${dir}/mutant.pdf`;
      fs.writeFileSync(file, m.bytes);
      const shown = renderHash(file, 'poppler', dir);
      assert.equal(shown, original, `${profile} #${i} ${m.kind}: poppler renders a changed page, yet valid:\n${renderReportText(r!)}`);
    }
  }
  console.log(JSON.stringify(tally));
});
