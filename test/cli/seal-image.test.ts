import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { demoWorld } from './support/demo-world';
import { addKeeper } from './support/keeper-token';
import { loadCa } from '../../src/core/pki/certificate-authority';

/** `sealdesk seal image` makes pictures that `seal make --image` takes, and a stamp with them verifies. */
const world = demoWorld();
const CONTRACT = path.resolve(__dirname, '../../resources/samples/contract.pdf');

before(async () => {
  const demoCa = await loadCa(
    new Uint8Array(new crypto.X509Certificate(fs.readFileSync(path.join(world.dir, 'trust/demo-root.pem'))).raw),
    new Uint8Array(Buffer.from(fs.readFileSync(path.join(world.dir, 'trust/demo-root.key'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64')),
  );
  await addKeeper(world, 'PICTURE-KEEPER', demoCa);
});

test('a round seal picture made from text becomes the seal on a USB-Key, and a stamp with it verifies in sealdesk and pdfsig', () => {
  const png = path.join(world.dir, 'contract-seal.png');
  const r = world.run(['seal', 'image', '--text', '北京演示科技有限公司', '--purpose', '合同专用章', '--code', '1101080012345', '--size', '42mm', '-o', png]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /圆形公章 round official seal, 42×42 mm/);
  assert.match(r.out, /Noto Serif CJK SC/);
  assert.equal(r.err, '', 'no size warning for a 42 mm picture at 300 dpi');
  const made = world.run(['seal', 'make', '--maker', 'DEMO-MAKER', '--token', 'PICTURE-KEEPER', '--name', '北京演示科技有限公司合同专用章', '--type', '4', '--image', png, '--pin-stdin'], '654321\n');
  assert.equal(made.code, 0, made.err);
  assert.match(world.run(['seal', 'list', '--token', 'PICTURE-KEEPER']).out, /picture PNG 42×42 mm/);
  const out = path.join(world.dir, 'stamped-with-text-seal.pdf');
  const s = world.run(['sign', CONTRACT, '-o', out, '--token', 'PICTURE-KEEPER', '--pin-stdin', '--page', '1', '--at', '300,300'], '111111\n');
  assert.equal(s.code, 0, s.err);
  const report = JSON.parse(world.run(['verify', out, '--json']).out);
  assert.equal(report.signatures[0].verdict, 'valid');
  assert.equal(report.signatures[0].checks.find((c: { id: string }) => c.id === 'impression').status, 'ok');
  assert.match(spawnSync('pdfsig', [out], { encoding: 'utf8' }).stdout, /Signature is Valid\./);
});

test('seal image --from-scan says what it did: paper removed, ink kept, deskewed, cropped, scaled; the scan is untouched', () => {
  const seal = path.join(world.dir, 'invoice.png');
  assert.equal(world.run(['seal', 'image', '--text', '上海示例商贸有限公司', '--tax-number', '91310000MA1FL0ABCD', '-o', seal]).code, 0);
  const photo = path.join(world.dir, 'invoice-photo.jpg');
  execFileSync('convert', ['-size', '900x800', 'xc:#efe8d8', '(', seal, '-background', 'white', '-flatten', '-rotate', '5', ')', '-gravity', 'center', '-compose', 'multiply', '-composite', '-attenuate', '0.5', '+noise', 'Gaussian', '-quality', '88', photo]);
  const before = fs.readFileSync(photo);
  const out = path.join(world.dir, 'invoice-from-scan.png');
  const r = world.run(['seal', 'image', '--from-scan', photo, '--size', '40x30mm', '-o', out, '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual([j.widthPx, j.heightPx, j.widthMm, j.heightMm, j.dpi], [472, 354, 40, 30, 300]);
  assert.ok(Math.abs(j.scan.rotationDeg - 5) <= 1, `deskewed ${j.scan.rotationDeg}°`);
  assert.ok(j.bytes < 50 * 1024);
  assert.ok(fs.readFileSync(photo).equals(before));
  const text = world.run(['seal', 'image', '--from-scan', photo, '--size', '40x30mm', '-o', out]);
  for (const step of [/去除纸张底色 \/ paper removed/, /保留红色印迹 \/ red ink kept as alpha/, /纠正倾斜 \/ deskewed/, /裁剪 \/ cropped/, /缩放 \/ scaled: 40×30 mm @ 300 dpi = 472×354 px/]) assert.match(text.out, step);
});

test('bad requests get a code and a reason in both languages, and write nothing', () => {
  const out = path.join(world.dir, 'never.png');
  const noFont = world.run(['seal', 'image', '--text', '张三', '--layout', 'square', '--font', '/nonexistent/font.ttc', '-o', out]);
  assert.equal(noFont.code, 1);
  assert.match(noFont.err, /SEAL_FONT_MISSING/);
  const big = world.run(['seal', 'image', '--text', '北京演示科技有限公司', '--dpi', '1200', '-o', out]);
  assert.equal(big.code, 0);
  assert.match(big.err, /SEAL_PICTURE_LARGE/, 'a 1200 dpi picture is flagged above 50 KB');
  fs.unlinkSync(out);
  const notImage = world.run(['seal', 'image', '--from-scan', CONTRACT, '-o', out]);
  assert.equal(notImage.code, 1);
  assert.match(notImage.err, /SEAL_IMAGE_INVALID[\s\S]*PNG/);
  assert.equal(world.run(['seal', 'image', '--text', 'x', '--from-scan', CONTRACT, '-o', out]).code, 64, 'text and scan together is a usage error');
  assert.equal(fs.existsSync(out), false);
});
