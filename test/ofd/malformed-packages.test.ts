import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { verifyOfd } from '../../src/core/ofd/verify-ofd';
import { ZipArchive } from '../../src/core/ofd/zip-archive';
import { isSealDeskError } from '../../src/core/errors';
import { rawZip, type RawEntry } from './support/raw-zip';
import { baseDocument, text, unzip, vendorBytes, zip, type Files } from './support/ofd-files';

/**
 * Hostile and broken OFD packages are refused with OFD_MALFORMED or OFD_UNSAFE and a bilingual
 * message — never a crash, a hang or a report. Each test has a timeout, so a hang fails it.
 */
const FAST = { timeout: 10_000 };

function refusal(bytes: Uint8Array): { code: string; zh: string; en: string } {
  try {
    const r = verifyOfd(bytes, { trustRoots: [] });
    assert.fail(`expected a refusal, got a report with verdict ${r.verdict}`);
  } catch (e) {
    if (!isSealDeskError(e)) throw e;
    assert.ok(e.zh.length > 0 && e.en.length > 0);
    return { code: e.code, zh: e.zh, en: e.en };
  }
}

function assertRefused(bytes: Uint8Array, code: 'OFD_MALFORMED' | 'OFD_UNSAFE', en?: RegExp): void {
  const r = refusal(bytes);
  assert.equal(r.code, code, r.en);
  if (en) assert.match(r.en, en);
}

const vendor = (): Files => unzip(vendorBytes('v4signed.ofd'));
const entriesOf = (files: Files): RawEntry[] => Object.entries(files).map(([name, data]) => ({ name, data }));

test('garbage, an empty file and a PDF are not OFD packages', FAST, () => {
  assertRefused(new Uint8Array(crypto.randomBytes(5000)), 'OFD_MALFORMED');
  assertRefused(new Uint8Array(0), 'OFD_MALFORMED');
  assertRefused(text('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'), 'OFD_MALFORMED');
});

test('a truncated package is refused wherever it was cut', FAST, () => {
  const bytes = vendorBytes('signedFile.ofd');
  for (const keep of [10, 100, 4000, 9000, bytes.length - 200, bytes.length - 23, bytes.length - 1]) {
    assertRefused(bytes.subarray(0, keep), 'OFD_MALFORMED');
  }
});

test('zip bomb: an entry declaring gigabytes is refused before anything is inflated', FAST, () => {
  assertRefused(rawZip([...entriesOf(vendor()), { name: 'Doc_0/Res/bomb.bin', data: text('x'), size: 0xfffffff0 }]), 'OFD_UNSAFE', /too large/);
});

test('zip bomb: an entry compressed a thousand to one is refused by its ratio', FAST, () => {
  const zeros = new Uint8Array(8 * 1024 * 1024);
  assertRefused(rawZip([...entriesOf(vendor()), { name: 'Doc_0/Res/zeros.bin', data: zeros }]), 'OFD_UNSAFE', /compression ratio/);
});

test('zip bomb: many modest entries together past the total bound are refused', FAST, () => {
  // Each declares 60 MiB from 320 KiB of incompressible data: under the per-entry and ratio bounds,
  // five of them over the total bound — judged from the directory alone.
  const block = new Uint8Array(crypto.randomBytes(320 * 1024));
  const entries: RawEntry[] = Array.from({ length: 5 }, (_, i) => ({ name: `Doc_0/Res/big${i}.bin`, data: block, size: 60 * 1024 * 1024 }));
  assertRefused(rawZip([...entriesOf(vendor()), ...entries]), 'OFD_UNSAFE', /inflate to more than .* bytes/);
});

test('zip bomb: an entry that inflates past its declared size is stopped at that size', FAST, () => {
  const files = vendor();
  const huge = `<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody>${' '.repeat(4 * 1024 * 1024)}</ofd:DocBody></ofd:OFD>`;
  const entries = entriesOf(files).map((e) => (e.name === 'OFD.xml' ? { ...e, data: text(huge), size: 2000, crc: 0 } : e));
  assertRefused(rawZip(entries), 'OFD_UNSAFE', /inflates beyond its declared size/);
});

test('zip bomb: more entries than any OFD needs are refused', FAST, () => {
  const entries: RawEntry[] = Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}`, data: new Uint8Array(0), method: 0 }));
  assertRefused(rawZip(entries), 'OFD_UNSAFE', /too many entries/);
});

test('two directory entries sharing one file\'s bytes are refused', FAST, () => {
  const entries = entriesOf(vendor());
  assertRefused(rawZip([...entries, { name: 'Doc_0/Res/again.xml', data: entries[0]!.data, sharesWith: 0 }]), 'OFD_UNSAFE');
});

for (const name of ['../evil.xml', '/etc/passwd', 'Doc_0\\..\\evil.xml', 'C:/Windows/evil.xml', 'Doc_0/../../evil.xml', 'Doc_0//x.xml', 'Doc_0/./x.xml', 'Doc\u0000_0/x.xml']) {
  test(`path traversal: an entry named ${JSON.stringify(name)} is refused`, FAST, () => {
    assertRefused(rawZip([...entriesOf(vendor()), { name, data: text('<x/>') }]), 'OFD_UNSAFE');
  });
}

test('duplicate entry names, also ones differing only in case, are refused', FAST, () => {
  const entries = entriesOf(vendor());
  assertRefused(rawZip([...entries, { name: 'OFD.xml', data: text('<ofd:OFD/>') }]), 'OFD_UNSAFE', /duplicate/);
  assertRefused(rawZip([...entries, { name: 'Doc_0/pages/Page_0/Content.xml', data: text('<ofd:Page/>') }]), 'OFD_UNSAFE', /differ only in case/);
});

test('an encrypted entry is refused', FAST, () => {
  const entries = entriesOf(vendor()).map((e) => (e.name === 'Doc_0/Document.xml' ? { ...e, flags: 0x0001 } : e));
  assertRefused(rawZip(entries), 'OFD_UNSAFE', /encrypted/);
});

test('an unknown compression method and a wrong CRC are malformed', FAST, () => {
  assertRefused(rawZip(entriesOf(vendor()).map((e) => (e.name === 'OFD.xml' ? { ...e, method: 12 } : e))), 'OFD_MALFORMED', /compression method 12/);
  assertRefused(rawZip(entriesOf(vendor()).map((e) => (e.name === 'OFD.xml' ? { ...e, crc: 1234 } : e))), 'OFD_MALFORMED', /CRC-32/);
});

test('missing parts: OFD.xml, DocBody, Signatures.xml, Signature.xml, SignedValue.dat', FAST, () => {
  const without = (name: string): Uint8Array => { const f = vendor(); delete f[name]; return zip(f); };
  assertRefused(without('OFD.xml'), 'OFD_MALFORMED', /OFD\.xml is missing/);
  assertRefused(without('Doc_0/Signs/Signatures.xml'), 'OFD_MALFORMED', /signature list .* is missing/);
  assertRefused(without('Doc_0/Signs/Sign_0/Signature.xml'), 'OFD_MALFORMED', /signature file .* is missing/);
  assertRefused(without('Doc_0/Signs/Sign_0/SignedValue.dat'), 'OFD_MALFORMED', /signed value/);
  const noBody = vendor();
  noBody['OFD.xml'] = text('<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.1"/>');
  assertRefused(zip(noBody), 'OFD_MALFORMED', /no DocBody/);
});

test('an unsigned OFD verifies to "no stamps", not to an error', FAST, () => {
  const report = verifyOfd(zip(baseDocument()), { trustRoots: [] });
  assert.equal(report.verdict, 'warning');
  assert.equal(report.signatures.length, 0);
  assert.deepEqual(report.warnings.map((w) => w.id), ['no_signatures']);
});

test('an invoice whose signature list was unhooked from OFD.xml shows no stamps and names the stamp files left behind', FAST, () => {
  const f = vendor();
  f['OFD.xml'] = text(new TextDecoder().decode(f['OFD.xml']).replace(/<ofd:Signatures>[^<]*<\/ofd:Signatures>/, ''));
  const report = verifyOfd(zip(f), { trustRoots: [] });
  assert.equal(report.verdict, 'warning');
  assert.equal(report.signatures.length, 0);
  assert.deepEqual(report.warnings.map((w) => w.id), ['no_signatures', 'other']);
  assert.match(report.warnings[1]!.message.en, /Sign_0\/Signature\.xml/);
});

test('huge XML nesting in OFD.xml is refused quickly', FAST, () => {
  const f = vendor();
  f['OFD.xml'] = text(`<ofd:OFD xmlns:ofd="x">${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</ofd:OFD>`);
  assertRefused(zip(f), 'OFD_UNSAFE', /nests deeper/);
});

test('a DTD (billion laughs) in OFD.xml is refused, never expanded', FAST, () => {
  const f = vendor();
  const lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    + '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>';
  f['OFD.xml'] = text(`<?xml version="1.0"?>${lol}<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody>&lol3;</ofd:DocBody></ofd:OFD>`);
  assertRefused(zip(f), 'OFD_UNSAFE', /DTD/);
});

test('OFD.xml that is not XML, or names an unknown entity, is malformed', FAST, () => {
  const f = vendor();
  f['OFD.xml'] = new Uint8Array(crypto.randomBytes(300));
  assertRefused(zip(f), 'OFD_MALFORMED');
  f['OFD.xml'] = text('<ofd:OFD xmlns:ofd="x"><ofd:DocBody>&secret;</ofd:DocBody></ofd:OFD>');
  assertRefused(zip(f), 'OFD_MALFORMED', /unknown entity/);
  f['OFD.xml'] = text('<ofd:OFD xmlns:ofd="x"><ofd:DocBody></ofd:OFD>');
  assertRefused(zip(f), 'OFD_MALFORMED', /not well-formed/);
});

test('the ZIP reader inflates nothing until an entry is read, and reads entries byte for byte', FAST, () => {
  const files = vendor();
  const archive = ZipArchive.open(zip(files));
  assert.deepEqual([...archive.names].sort(), Object.keys(files).sort());
  for (const [name, data] of Object.entries(files)) assert.ok(Buffer.from(archive.read(name)).equals(Buffer.from(data)), name);
  // Stored (method 0) entries too.
  const stored = ZipArchive.open(rawZip(Object.entries(files).map(([name, data]) => ({ name, data, method: 0 }))));
  assert.ok(Buffer.from(stored.read('OFD.xml')).equals(Buffer.from(files['OFD.xml']!)));
  assert.equal(zlib.crc32(stored.read('OFD.xml')), zlib.crc32(files['OFD.xml']!));
});
