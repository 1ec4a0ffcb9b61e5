/**
 * A bounded, non-validating XML reader for the few OFD parts the verifier must understand
 * (OFD.xml, Document.xml, Signatures.xml, Signature.xml), over saxes (a strict, streaming XML 1.0
 * parser: well-formedness, character references, duplicate attributes, one root). It only reads:
 * what is hashed is always the stored bytes, never a re-serialisation (gm-formats.md §5, ofdrw#2).
 *
 * Safe by construction: a DOCTYPE is refused (so no entity can be declared, expanded or fetched;
 * saxes itself knows only the five predefined entities), and input size, nesting depth, element
 * count and attributes per element are bounded while saxes streams — the tree is built with an
 * explicit stack, never recursion — so hostile input ends in a SealDeskError (OFD_MALFORMED /
 * OFD_UNSAFE) quickly. The byte decoding (BOM, declared encoding, GB 18030) is done here first,
 * strictly: saxes takes text.
 *
 * Namespaces: OFD writers use the prefix "ofd:" or a default namespace; elements and attributes are
 * matched by local name.
 */
import { SaxesParser } from 'saxes';
import { SealDeskError } from '../errors';
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
  return buildTree(decodeXmlText(bytes, part), part, limits);
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

// ---- building the tree over saxes ----------------------------------------------------------

function buildTree(text: string, part: string, limits: XmlLimits): XmlElement {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let stop: SealDeskError | undefined;
  const halt = (e: SealDeskError): never => {
    stop = e;
    throw e;
  };
  parser.on('doctype', () => halt(ofdUnsafe(`${shown(part)} 含有 DTD 声明`, `${shown(part)} carries a DTD declaration, which is not allowed`)));
  parser.on('opentag', (tag) => {
    if (++elements > limits.maxElements) halt(ofdUnsafe(`${shown(part)} 元素过多`, `${shown(part)} has too many elements (more than ${limits.maxElements})`));
    if (stack.length >= limits.maxDepth) halt(ofdUnsafe(`${shown(part)} 嵌套过深`, `${shown(part)} nests deeper than ${limits.maxDepth} levels`));
    const names = Object.keys(tag.attributes);
    if (names.length > limits.maxAttributes) halt(ofdUnsafe(`${shown(part)} 的属性过多`, `${shown(part)} has an element with too many attributes (more than ${limits.maxAttributes})`));
    const attributes = new Map<string, string>();
    for (const name of names) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      const local = localName(name);
      if (attributes.has(local)) halt(notWellFormed(part, `属性 ${shown(local)} 重复`, `attribute ${shown(local)} appears twice`, parser.line));
      attributes.set(local, tag.attributes[name] as string);
    }
    const el: XmlElement = { name: tag.name, local: localName(tag.name), attributes, children: [], text: '' };
    if (stack.length === 0) root = el;
    else stack[stack.length - 1]!.children.push(el);
    stack.push(el);
  });
  parser.on('closetag', () => { stack.pop(); });
  parser.on('text', (t) => { if (stack.length > 0) stack[stack.length - 1]!.text += t; });
  parser.on('cdata', (t) => { if (stack.length > 0) stack[stack.length - 1]!.text += t; });
  try {
    parser.write(text).close();
  } catch (e) {
    if (stop) throw stop;
    const message = e instanceof Error ? e.message : String(e);
    if (/undefined entity/i.test(message)) {
      // saxes does not name it: the first reference on that line that is neither predefined nor numeric.
      const lineText = text.split('\n')[parser.line - 1] ?? '';
      const entity = [...lineText.matchAll(/&([^;&\s<>]{1,40});/g)].find((m) => !PREDEFINED.has(m[1]!) && !m[1]!.startsWith('#'))?.[0] ?? '';
      throw notWellFormed(part, `未知实体 ${shown(entity)}`, `unknown entity ${shown(entity)}`, parser.line, e);
    }
    throw notWellFormed(part, shown(message), shown(message), parser.line, e);
  }
  if (!root) throw notWellFormed(part, '没有根元素', 'no root element', parser.line);
  return root;
}

const PREDEFINED = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);

function notWellFormed(part: string, zh: string, en: string, line: number, cause?: unknown): SealDeskError {
  return ofdMalformed(`${shown(part)} 不是格式正确的 XML（${zh}，第 ${line} 行）`, `${shown(part)} is not well-formed XML (${en}, line ${line})`, cause);
}

function localName(qualified: string): string {
  const i = qualified.indexOf(':');
  return i < 0 ? qualified : qualified.slice(i + 1);
}
