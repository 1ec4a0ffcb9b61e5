import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PDFDocument } from 'pdf-lib';
import { decodeSeal } from '../../src/core/asn1/ses-seal';
import { decodePng } from '../../src/core/image/png';
import { sealLikeness } from '../../src/core/image/seal-likeness';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { convert, otherRoundSealPng, ovalSealPng, sealPngPath } from './copied-seals-fixtures';
import { fingerprints, samePicture } from '../../src/core/image/seal-fingerprint';
import { makeWorld, repoRoot, sealPng, type World } from './world';

/**
 * How the recipient's known seals reach the verifier: the data dir's seals/ folder (SESeals and
 * bare pictures) and `sealdesk verify --seal`, through the real CLI; and that real vendors' seal
 * pictures (../shared/testdata/gm-vendor) look like seals to the seal-like check and are named
 * when their picture is copied.
 */

const BIN = path.join(repoRoot, 'bin/sealdesk');
const VENDOR = '/work/shared/testdata/gm-vendor';
let world: World;
let copied: string;
before(async () => {
  world = await makeWorld('copied-seals-catalog');
  const jpeg = convert(world.dir, [sealPngPath, '-background', 'white', '-flatten', '-resize', '150x150', '-quality', '80'], 'copy.jpg');
  const d = await PDFDocument.create();
  d.addPage([595, 842]).drawImage(await d.embedJpg(jpeg), { x: 400, y: 80, width: 120, height: 120 });
  copied = world.file('copied.pdf');
  fs.writeFileSync(copied, await d.save());
});
after(() => world.cleanup());

function cli(home: string, args: string[]): { code: number | null; report: { warnings: Array<{ id: string; page?: number; rect?: number[]; copiedSeal?: { match: string; name?: string; esID?: string } }> } | undefined; err: string } {
  const r = spawnSync(BIN, ['verify', ...args, '--json'], { env: { ...process.env, SEALDESK_HOME: home, SEALDESK_FROM_SOURCE: '1' }, encoding: 'utf8' });
  return { code: r.status, report: r.stdout ? JSON.parse(r.stdout) : undefined, err: r.stderr };
}

test('a seal in the data dir\'s seals/ folder names the copy in `sealdesk verify`; without it the copy is only seal-like', () => {
  const home = path.join(world.dir, 'home-catalog');
  fs.mkdirSync(path.join(home, 'seals'), { recursive: true });
  const bare = cli(home, [copied]);
  assert.equal(bare.code, 3, bare.err);
  assert.equal(bare.report!.warnings.find((w) => w.id === 'copied_seal_image')?.copiedSeal?.match, 'seal_like');

  fs.writeFileSync(path.join(home, 'seals', 'contract.seal'), world.sealDer);
  fs.writeFileSync(path.join(home, 'seals', 'notes.txt'), 'not a seal');
  const r = cli(home, [copied]);
  assert.equal(r.code, 3, r.err);
  const w = r.report!.warnings.find((x) => x.id === 'copied_seal_image');
  assert.equal(w?.copiedSeal?.match, 'known_seal');
  assert.equal(w?.copiedSeal?.esID, world.esID);
  assert.equal(w?.page, 1);
  assert.deepEqual(w?.rect, [400, 80, 520, 200]);
});

test('`--seal` takes an SESeal or a bare seal picture; a file that is neither is refused as a usage error', () => {
  const home = path.join(world.dir, 'home-flag');
  const sealFile = writeTemp(Buffer.from(world.sealDer), 'seal.der');
  const asSeal = cli(home, [copied, '--seal', sealFile]);
  assert.equal(asSeal.report!.warnings.find((x) => x.id === 'copied_seal_image')?.copiedSeal?.name, 'SealDesk 演示有限公司合同专用章');

  const picture = path.join(world.dir, '希尔德演示科技有限公司合同专用章.png');
  fs.writeFileSync(picture, sealPng);
  const asPicture = cli(home, [copied, '--seal', picture]);
  const w = asPicture.report!.warnings.find((x) => x.id === 'copied_seal_image');
  assert.equal(w?.copiedSeal?.match, 'known_seal');
  assert.equal(w?.copiedSeal?.name, '希尔德演示科技有限公司合同专用章');

  const junk = path.join(world.dir, 'junk.bin');
  fs.writeFileSync(junk, 'nothing');
  const bad = cli(home, [copied, '--seal', junk]);
  assert.notEqual(bad.code, 0);
  assert.notEqual(bad.code, 3);
  assert.match(bad.err, /--seal/);
});

test('real vendors\' seal pictures are seal-like, and a copy of one is named when its seal is in the catalog', async () => {
  for (const name of ['fzz_seal.sel', 'koal_Seal.esl', 'ofdrw_UserV4.esl']) {
    const der = fs.readFileSync(path.join(VENDOR, name));
    const seal = decodeSeal(der);
    const picture = Buffer.from(seal.eSealInfo.picture.data);
    assert.equal(sealLikeness(decodePng(picture)).sealLike, true, name);
    const jpeg = convert(world.dir, [writeTemp(picture, `${name}.png`), '-background', 'white', '-flatten', '-resize', '90%', '-quality', '70'], `${name}.jpg`);
    const d = await PDFDocument.create();
    d.addPage([595, 842]).drawImage(await d.embedJpg(jpeg), { x: 100, y: 100, width: 100, height: 100 });
    const r = verifyPdf(await d.save(), { trustRoots: [], sealCatalog: [der] });
    const w = r.warnings.find((x) => x.id === 'copied_seal_image');
    assert.equal(w?.copiedSeal?.match, 'known_seal', name);
    assert.equal(w?.copiedSeal?.name, seal.eSealInfo.property.name);
  }
});

function writeTemp(bytes: Buffer, name: string): string {
  const f = world.file(name);
  fs.writeFileSync(f, bytes);
  return f;
}

test('the platform can feed bare seal pictures: the copy is named after the entry, or called a known seal', () => {
  const bytes = fs.readFileSync(copied);
  const named = verifyPdf(bytes, { trustRoots: [], sealCatalog: [{ esID: 'PLAT-0001', name: '平台登记的合同专用章', picture: { type: 'PNG', data: sealPng } }] });
  const w = named.warnings.find((x) => x.id === 'copied_seal_image');
  assert.equal(w?.copiedSeal?.match, 'known_seal');
  assert.equal(w?.copiedSeal?.esID, 'PLAT-0001');
  assert.match(w?.message.zh ?? '', /疑似复制的印章图像：平台登记的合同专用章（PLAT-0001）/);
  const anonymous = verifyPdf(bytes, { trustRoots: [], sealCatalog: [{ picture: { type: 'PNG', data: sealPng } }] });
  assert.match(anonymous.warnings.find((x) => x.id === 'copied_seal_image')?.message.en ?? '', /copied seal picture: a known seal/);
});

test('no two different seals — ours, two of the same style, three real vendors\' — are taken for one another', () => {
  const pictures: Array<[string, Buffer]> = [
    ['test seal', sealPng],
    ['other round', fs.readFileSync(otherRoundSealPng)],
    ['oval', fs.readFileSync(ovalSealPng)],
    ...['fzz_seal.sel', 'koal_Seal.esl', 'ofdrw_UserV4.esl'].map((n) => [n, Buffer.from(decodeSeal(fs.readFileSync(path.join(VENDOR, n))).eSealInfo.picture.data)] as [string, Buffer]),
  ];
  const prints = pictures.map(([, png]) => fingerprints(decodePng(png)));
  for (let i = 0; i < prints.length; i++) {
    for (let j = 0; j < prints.length; j++) {
      if (i !== j) assert.equal(samePicture(prints[i]!, prints[j]!), false, `${pictures[i]![0]} ~ ${pictures[j]![0]}`);
    }
  }
});
