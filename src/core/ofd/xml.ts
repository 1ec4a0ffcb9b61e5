/**
 * A small, bounded, non-validating XML reader for the few OFD parts the verifier must understand
 * (OFD.xml, Document.xml, Signatures.xml, Signature.xml). It only reads: what is hashed is always
 * the stored bytes, never a re-serialisation (gm-formats.md §5, ofdrw#2).
 *
 * Safe by construction: a DOCTYPE is refused (so no entity can be declared, expanded or fetched),
 * only the five predefined entities and character references are understood, and input size,
 * nesting depth, element count and attributes per element are bounded. The scanner walks the text
 * once with an explicit stack — no recursion, no regular expressions — so hostile input ends in a
 * SealDeskError (OFD_MALFORMED / OFD_UNSAFE) quickly.
 *
 * Namespaces: OFD writers use the prefix "ofd:" or a default namespace; elements and attributes are
 * matched by local name.
 */
import { ofdMalformed, ofdUnsafe, shown } from './ofd-errors';

export interface XmlElement {
  /** Qualified name as written, e.g. "ofd:Signature". */
  name: string;
  /** Name without its prefix, e.g. "Signature". */
  local: string;
  /** Attributes by local name (a later duplicate local name is an error). */
  attributes: Map<string, string>;
  children: XmlElement[];
  /** The element's own character data (CDATA included), children's text excluded. */
  text: string;
}

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
  maxAttributes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 256,
  maxElements: 200_000,
  maxAttributes: 256,
};

/** Parses `bytes` (the part called `part`, for messages) into its root element. */
export function parseXml(bytes: Uint8Array, part: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (bytes.length > limits.maxBytes) throw ofdUnsafe(`${shown(part)} 过大`, `${shown(part)} is too large to parse (${bytes.length} bytes)`);
  return new XmlScanner(decodeXmlText(bytes, part), part, limits).document();
}

/** First child with this local name. */
export function child(el: XmlElement, local: string): XmlElement | undefined {
  return el.children.find((c) => c.local === local);
}

export function childrenNamed(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local);
}

/** Trimmed text of the first child with this local name. */
export function childText(el: XmlElement, local: string): string | undefined {
  const c = child(el, local);
  return c === undefined ? undefined : c.text.trim();
}

// ---- decoding ------------------------------------------------------------------------------

function decodeXmlText(bytes: Uint8Array, part: string): string {
  const malformed = (cause?: unknown): never => { throw ofdMalformed(`${shown(part)} 的字符编码无法识别`, `the character encoding of ${shown(part)} is not readable`, cause); };
  let label = 'utf-8';
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) { label = 'utf-16le'; start = 2; }
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) { label = 'utf-16be'; start = 2; }
  else {
    const declared = declaredEncoding(bytes);
    if (declared !== undefined) label = declared;
  }
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes.subarray(start));
  } catch (cause) {
    return malformed(cause);
  }
}

/** The encoding="…" of an ASCII XML declaration, lower-cased, if there is one. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  if (!(bytes[0] === 0x3c && bytes[1] === 0x3f)) return undefined; // "<?"
  let end = 2;
  while (end < bytes.length && end < 512 && !(bytes[end] === 0x3f && bytes[end + 1] === 0x3e)) end++;
  const decl = Buffer.from(bytes.subarray(0, end)).toString('latin1');
  const at = decl.indexOf('encoding');
  if (at < 0) return undefined;
  let i = at + 'encoding'.length;
  while (decl[i] === ' ' || decl[i] === '=') i++;
  const quote = decl[i];
  if (quote !== '"' && quote !== "'") return undefined;
  const close = decl.indexOf(quote, i + 1);
  if (close < 0) return undefined;
  const name = decl.slice(i + 1, close).trim().toLowerCase();
  // GB2312 and GBK documents are read as their superset GB 18030.
  return name === 'gb2312' || name === 'gbk' ? 'gb18030' : name;
}

// ---- scanning ------------------------------------------------------------------------------

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isNameEnd(c: number): boolean {
  return isSpace(c) || c === 0x2f || c === 0x3e || c === 0x3d || c === 0x3c || c === 0x22 || c === 0x27 || Number.isNaN(c);
}

class XmlScanner {
  private pos = 0;
  private elements = 0;

  constructor(private readonly s: string, private readonly part: string, private readonly limits: XmlLimits) {}

  private fail(zh: string, en: string): never {
    throw ofdMalformed(`${shown(this.part)} 不是格式正确的 XML(${zh},位置 ${this.pos})`, `${shown(this.part)} is not well-formed XML (${en} at ${this.pos})`);
  }

  private startsWith(t: string): boolean {
    return this.s.startsWith(t, this.pos);
  }

  private skipPast(t: string, what: string): void {
    const end = this.s.indexOf(t, this.pos);
    if (end < 0) this.fail(`${what}未结束`, `unterminated ${what}`);
    this.pos = end + t.length;
  }

  private skipSpace(): void {
    while (this.pos < this.s.length && isSpace(this.s.charCodeAt(this.pos))) this.pos++;
  }

  private name(): string {
    const start = this.pos;
    while (this.pos < this.s.length && !isNameEnd(this.s.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) this.fail('缺少名称', 'a name was expected');
    return this.s.slice(start, this.pos);
  }

  document(): XmlElement {
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    while (this.pos < this.s.length) {
      const top = stack[stack.length - 1];
      if (this.s.charCodeAt(this.pos) !== 0x3c) { // text
        const end = this.s.indexOf('<', this.pos);
        const raw = this.s.slice(this.pos, end < 0 ? this.s.length : end);
        if (top) top.text += this.unescape(raw);
        else if (!isBlank(raw)) this.fail('根元素外有文本', 'text outside the root element');
        this.pos = end < 0 ? this.s.length : end;
        continue;
      }
      if (this.startsWith('<?')) { this.skipPast('?>', '处理指令'); continue; }
      if (this.startsWith('<!--')) { this.skipPast('-->', '注释'); continue; }
      if (this.startsWith('<![CDATA[')) {
        if (!top) this.fail('根元素外有 CDATA', 'CDATA outside the root element');
        const end = this.s.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('CDATA 未结束', 'unterminated CDATA section');
        top.text += this.s.slice(this.pos + 9, end);
        this.pos = end + 3;
        continue;
      }
      if (this.startsWith('<!')) {
        // DOCTYPE (and with it every entity declaration) is never read.
        throw ofdUnsafe(`${shown(this.part)} 含有 DTD 声明`, `${shown(this.part)} carries a DTD declaration, which is not allowed`);
      }
      if (this.startsWith('</')) {
        this.pos += 2;
        const name = this.name();
        this.skipSpace();
        if (this.s[this.pos] !== '>') this.fail('结束标签不完整', 'incomplete end tag');
        this.pos++;
        const open = stack.pop();
        if (!open || open.name !== name) this.fail(`结束标签 ${shown(name)} 不匹配`, `end tag ${shown(name)} does not match`);
        continue;
      }
      const { element, selfClosing } = this.startTag();
      if (top) top.children.push(element);
      else if (root) this.fail('有多个根元素', 'more than one root element');
      else root = element;
      if (selfClosing) continue;
      if (stack.length + 1 > this.limits.maxDepth) {
        throw ofdUnsafe(`${shown(this.part)} 嵌套过深`, `${shown(this.part)} nests deeper than ${this.limits.maxDepth} levels`);
      }
      stack.push(element);
    }
    if (stack.length > 0) this.fail(`元素 ${shown(stack[stack.length - 1]!.name)} 未结束`, `element ${shown(stack[stack.length - 1]!.name)} is not closed`);
    if (!root) this.fail('没有根元素', 'no root element');
    return root;
  }

  private startTag(): { element: XmlElement; selfClosing: boolean } {
    this.pos++; // '<'
    const name = this.name();
    if (++this.elements > this.limits.maxElements) {
      throw ofdUnsafe(`${shown(this.part)} 元素过多`, `${shown(this.part)} has more than ${this.limits.maxElements} elements`);
    }
    const element: XmlElement = { name, local: localName(name), attributes: new Map(), children: [], text: '' };
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === undefined) this.fail('开始标签未结束', 'unterminated start tag');
      if (c === '>') { this.pos++; return { element, selfClosing: false }; }
      if (c === '/') {
        if (this.s[this.pos + 1] !== '>') this.fail('开始标签不完整', 'malformed start tag');
        this.pos += 2;
        return { element, selfClosing: true };
      }
      if (this.pos === before) this.fail('属性之间缺少空白', 'missing white space between attributes');
      const attr = this.name();
      this.skipSpace();
      if (this.s[this.pos] !== '=') this.fail(`属性 ${shown(attr)} 缺少值`, `attribute ${shown(attr)} has no value`);
      this.pos++;
      this.skipSpace();
      const quote = this.s[this.pos];
      if (quote !== '"' && quote !== "'") this.fail('属性值缺少引号', 'attribute value is not quoted');
      const end = this.s.indexOf(quote, this.pos + 1);
      if (end < 0) this.fail('属性值未结束', 'unterminated attribute value');
      const raw = this.s.slice(this.pos + 1, end);
      if (raw.includes('<')) this.fail('属性值含有 <', 'attribute value contains <');
      this.pos = end + 1;
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
      const local = localName(attr);
      if (element.attributes.has(local)) this.fail(`属性 ${shown(attr)} 重复`, `duplicate attribute ${shown(attr)}`);
      if (element.attributes.size >= this.limits.maxAttributes) {
        throw ofdUnsafe(`${shown(this.part)} 的属性过多`, `an element of ${shown(this.part)} has more than ${this.limits.maxAttributes} attributes`);
      }
      element.attributes.set(local, this.unescape(raw));
    }
  }

  /** Replaces the predefined entities and character references; any other reference is an error. */
  private unescape(raw: string): string {
    if (!raw.includes('&')) return raw;
    let out = '';
    let i = 0;
    for (;;) {
      const amp = raw.indexOf('&', i);
      if (amp < 0) return out + raw.slice(i);
      out += raw.slice(i, amp);
      const semi = raw.indexOf(';', amp);
      if (semi < 0 || semi - amp > 12) this.fail('实体引用不完整', 'incomplete entity reference');
      const ref = raw.slice(amp + 1, semi);
      if (ref.startsWith('#')) {
        const hex = ref[1] === 'x';
        const digits = ref.slice(hex ? 2 : 1);
        const code = digits.length > 0 && isDigits(digits, hex) ? Number.parseInt(digits, hex ? 16 : 10) : Number.NaN;
        if (!(code > 0 && code <= 0x10ffff)) this.fail('字符引用无效', 'invalid character reference');
        out += String.fromCodePoint(code);
      } else {
        const v = PREDEFINED[ref];
        if (v === undefined) this.fail(`未知实体 &${shown(ref)};`, `unknown entity &${shown(ref)};`);
        out += v;
      }
      i = semi + 1;
    }
  }
}

function isDigits(s: string, hex: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const digit = c >= 0x30 && c <= 0x39;
    const hexLetter = (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!digit && !(hex && hexLetter)) return false;
  }
  return true;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon < 0 ? qualified : qualified.slice(colon + 1);
}
