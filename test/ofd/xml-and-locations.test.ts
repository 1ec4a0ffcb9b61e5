import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locate, resolveLoc } from '../../src/core/ofd/ofd-locations';
import { boundaryRect, parseOfdDateTime } from '../../src/core/ofd/verify-ofd';
import { child, childText, parseXml } from '../../src/core/ofd/xml';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const codeOf = (f: () => unknown): string | undefined => {
  try { f(); } catch (e) { return (e as { code?: string }).code; }
  return undefined;
};

test('the XML reader matches OFD elements by local name, with or without a prefix', () => {
  const a = parseXml(enc('<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'), 'OFD.xml');
  const b = parseXml(enc('<OFD xmlns="http://www.ofdspec.org/2016"><DocBody><DocRoot> Doc_0/Document.xml </DocRoot></DocBody></OFD>'), 'OFD.xml');
  for (const root of [a, b]) {
    assert.equal(root.local, 'OFD');
    assert.equal(childText(child(root, 'DocBody')!, 'DocRoot'), 'Doc_0/Document.xml');
  }
});

test('predefined entities, character references and CDATA are read; attributes in either quote', () => {
  const root = parseXml(enc(`<r a='x &amp; y' b="&#20013;&#x6587;"><t>1 &lt; 2 &gt; 0 &quot;&apos;</t><c><![CDATA[<not a tag> & raw]]></c><!-- note --></r>`), 't.xml');
  assert.equal(root.attributes.get('a'), 'x & y');
  assert.equal(root.attributes.get('b'), '中文');
  assert.equal(childText(root, 't'), `1 < 2 > 0 "'`);
  assert.equal(childText(root, 'c'), '<not a tag> & raw');
});

test('GBK-declared XML and a UTF-8 byte order mark are decoded', () => {
  const gbk = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="GBK"?><r>'), Buffer.from([0xd6, 0xd0, 0xce, 0xc4]), Buffer.from('</r>')]);
  assert.equal(parseXml(new Uint8Array(gbk), 'g.xml').text, '中文');
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<r>ok</r>')]);
  assert.equal(parseXml(new Uint8Array(bom), 'b.xml').text, 'ok');
});

test('DTDs, unknown entities, bad nesting and hostile sizes are refused with OFD codes', () => {
  assert.equal(codeOf(() => parseXml(enc('<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>'), 'x')), 'OFD_UNSAFE');
  assert.equal(codeOf(() => parseXml(enc('<r>&xxe;</r>'), 'x')), 'OFD_MALFORMED');
  assert.equal(codeOf(() => parseXml(enc('<r><a></r></a>'), 'x')), 'OFD_MALFORMED');
  assert.equal(codeOf(() => parseXml(enc('<r a="1" a="2"/>'), 'x')), 'OFD_MALFORMED');
  assert.equal(codeOf(() => parseXml(enc('<r/><s/>'), 'x')), 'OFD_MALFORMED');
  assert.equal(codeOf(() => parseXml(enc('<r>'), 'x')), 'OFD_MALFORMED');
  assert.equal(codeOf(() => parseXml(enc('<r a="<"/>'), 'x')), 'OFD_MALFORMED');
  assert.equal(codeOf(() => parseXml(enc('<r>&#0;</r>'), 'x')), 'OFD_MALFORMED');
  assert.equal(codeOf(() => parseXml(new Uint8Array([0x3c, 0x72, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x72, 0x3e]), 'x')), 'OFD_MALFORMED');
  assert.equal(codeOf(() => parseXml(enc(`${'<a>'.repeat(300)}${'</a>'.repeat(300)}`), 'x')), 'OFD_UNSAFE');
  assert.equal(codeOf(() => parseXml(enc(`<r>${'<a/>'.repeat(1001)}</r>`), 'x', { maxBytes: 1 << 20, maxDepth: 10, maxElements: 1000, maxAttributes: 10 })), 'OFD_UNSAFE');
  assert.equal(codeOf(() => parseXml(new Uint8Array(9 * 1024 * 1024).fill(0x20), 'x')), 'OFD_UNSAFE');
  // 255 levels are fine.
  assert.equal(codeOf(() => parseXml(enc(`${'<a>'.repeat(255)}${'</a>'.repeat(255)}`), 'x')), undefined);
});

test('ST_Loc: absolute from the root, relative to the naming part, never above the root', () => {
  assert.equal(resolveLoc('/Doc_0/Document.xml', 'Doc_0/Signs'), 'Doc_0/Document.xml');
  assert.equal(resolveLoc('Sign_0/Signature.xml', 'Doc_0/Signs'), 'Doc_0/Signs/Sign_0/Signature.xml');
  assert.equal(resolveLoc('../Pages/Page_0/Content.xml', 'Doc_0/Signs'), 'Doc_0/Pages/Page_0/Content.xml');
  assert.equal(resolveLoc('../../../etc/passwd', 'Doc_0/Signs'), undefined);
  assert.equal(resolveLoc('Doc_0\\Document.xml', ''), undefined);
  assert.equal(resolveLoc('  ', ''), undefined);
});

test('a relative location is also read from the document and the root, but two readings that both exist are ambiguous', () => {
  const entries = new Set(['Doc_0/Pages/Page_0/Content.xml', 'Doc_0/Signs/Sign_0/Signature.xml']);
  const has = (e: string): boolean => entries.has(e);
  assert.equal(locate(has, 'Pages/Page_0/Content.xml', 'Doc_0/Signs/Sign_0', 'Doc_0').entry, 'Doc_0/Pages/Page_0/Content.xml');
  assert.equal(locate(has, 'Doc_0/Pages/Page_0/Content.xml', 'Doc_0/Signs/Sign_0').entry, 'Doc_0/Pages/Page_0/Content.xml');
  assert.equal(locate(has, 'Pages/Missing.xml', 'Doc_0').entry, undefined);
  entries.add('Doc_0/Signs/Sign_0/Pages/Page_0/Content.xml');
  const amb = locate(has, 'Pages/Page_0/Content.xml', 'Doc_0/Signs/Sign_0', 'Doc_0');
  assert.equal(amb.entry, undefined);
  assert.deepEqual(amb.ambiguous, ['Doc_0/Signs/Sign_0/Pages/Page_0/Content.xml', 'Doc_0/Pages/Page_0/Content.xml']);
  // An absolute location has one reading only.
  assert.equal(locate(has, '/Doc_0/Pages/Page_0/Content.xml', 'Doc_0/Signs/Sign_0', 'Doc_0').entry, 'Doc_0/Pages/Page_0/Content.xml');
});

test('Boundary becomes [x1, y1, x2, y2] in mm; vendor time formats are read, zone-less ones as Beijing time', () => {
  assert.deepEqual(boundaryRect('90.00 8.00 30.00 20.00'), [90, 8, 120, 28]);
  assert.equal(boundaryRect('1 2 3'), null);
  assert.equal(boundaryRect('1 2 -3 4'), null);
  assert.equal(boundaryRect('a b c d'), null);
  assert.equal(parseOfdDateTime('20201010151120')?.toISOString(), '2020-10-10T07:11:20.000Z');
  assert.equal(parseOfdDateTime('2020-04-22 16:22:44')?.toISOString(), '2020-04-22T08:22:44.000Z');
  assert.equal(parseOfdDateTime('20201004072855.302Z')?.toISOString(), '2020-10-04T07:28:55.302Z');
  assert.equal(parseOfdDateTime('yesterday'), undefined);
});
