/**
 * What the verifier reads from an OFD package's XML parts (GB/T 33190 §7 and §18, gm-formats.md §5):
 * OFD.xml → DocBody (DocRoot, Signatures) → Signatures.xml (one Signature per stamp: ID, Type,
 * BaseLoc) → Signature.xml (References with CheckValues, StampAnnot placements, Seal, SignedValue),
 * and Document.xml only to turn a StampAnnot's PageRef into a page number.
 */
import { isSealDeskError, type SealDeskError } from '../errors';
import { ofdMalformed, ofdUnsafe, shown } from './ofd-errors';
import { dirOf, locate, type Located } from './ofd-locations';
import { child, childText, childrenNamed, parseXml, type XmlElement } from './xml';
import type { ZipArchive } from './zip-archive';

export interface DocBody {
  /** 0-based position in OFD.xml. */
  index: number;
  /** Entry name of Document.xml, when it exists. */
  documentEntry?: string;
  /** Entry name of Signatures.xml; undefined when the document carries no signature list. */
  signaturesEntry?: string;
}

export interface SignatureListing {
  id: string;
  /** "Seal" (电子签章, the default) or "Sign" (电子签名). */
  type: string;
  /** Entry name of this signature's Signature.xml ('' when `error` says why there is none). */
  entry: string;
  /** Why this one signature cannot be read (its Signature.xml missing, no BaseLoc): the others still are. */
  error?: SealDeskError;
}

export interface Reference {
  fileRef: string;
  /** The CheckValue text as written (base64). */
  checkValue: string;
}

export interface StampAnnot {
  id?: string;
  pageRef?: string;
  /** "x y w h" in millimetres, origin at the page's top left. */
  boundary?: string;
}

export interface SignatureXml {
  signatureMethod?: string;
  signatureDateTime?: string;
  /** References/@CheckMethod (an OID or a name; absent means SM3 in practice). */
  checkMethod?: string;
  references: Reference[];
  stampAnnots: StampAnnot[];
  /** Seal/BaseLoc: an optional copy of the seal (Seal.esl). */
  sealLoc?: string;
  /** SignedValue: the location of SignedValue.dat. */
  signedValueLoc?: string;
  provider?: string;
}

/** The entry a required location names; absent ⇒ OFD_MALFORMED, ambiguous ⇒ OFD_UNSAFE. */
function required(found: Located, zh: string, en: string): string {
  if (found.ambiguous) {
    throw ofdUnsafe(`${zh} ${shown(found.wanted)} 的位置有歧义（${found.ambiguous.map(shown).join('、')}）`, `the location of ${en} ${shown(found.wanted)} is ambiguous (${found.ambiguous.map(shown).join(', ')})`);
  }
  if (!found.entry) throw ofdMalformed(`缺少${zh} ${shown(found.wanted)}`, `${en} ${shown(found.wanted)} is missing`);
  return found.entry;
}

function rootNamed(bytes: Uint8Array, part: string, local: string): XmlElement {
  const root = parseXml(bytes, part);
  if (root.local !== local) throw ofdMalformed(`${shown(part)} 的根元素不是 ${local}`, `the root element of ${shown(part)} is not ${local}`);
  return root;
}

/** OFD.xml and its DocBody entries. Missing OFD.xml or DocBody, or a named Signatures.xml that is absent, refuses the package. */
export function readDocBodies(zip: ZipArchive): DocBody[] {
  if (!zip.has('OFD.xml')) throw ofdMalformed('缺少 OFD.xml（不是 OFD 文件）', 'OFD.xml is missing (not an OFD file)');
  const root = rootNamed(zip.read('OFD.xml'), 'OFD.xml', 'OFD');
  const bodies = childrenNamed(root, 'DocBody');
  if (bodies.length === 0) throw ofdMalformed('OFD.xml 中没有 DocBody', 'OFD.xml has no DocBody');
  const has = (e: string): boolean => zip.has(e);
  return bodies.map((body, index) => {
    const docRoot = childText(body, 'DocRoot');
    const signatures = childText(body, 'Signatures');
    const out: DocBody = { index };
    if (docRoot) out.documentEntry = locate(has, docRoot, '').entry;
    if (signatures) out.signaturesEntry = required(locate(has, signatures, ''), '签名列表', 'the signature list');
    return out;
  });
}

/** The Signature entries of a Signatures.xml; a listed Signature.xml that is absent refuses the package. */
export function readSignatureList(zip: ZipArchive, signaturesEntry: string): SignatureListing[] {
  const root = rootNamed(zip.read(signaturesEntry), signaturesEntry, 'Signatures');
  const has = (e: string): boolean => zip.has(e);
  return childrenNamed(root, 'Signature').map((s, i) => {
    const baseLoc = s.attributes.get('BaseLoc');
    const id = s.attributes.get('ID') ?? String(i + 1);
    const type = s.attributes.get('Type') ?? 'Seal';
    try {
      if (!baseLoc) throw ofdMalformed(`签名 ${shown(id)} 没有 BaseLoc`, `signature ${shown(id)} has no BaseLoc`);
      return { id, type, entry: required(locate(has, baseLoc, dirOf(signaturesEntry)), '签名描述文件', 'the signature file') };
    } catch (e) {
      if (!isSealDeskError(e) || e.code !== 'OFD_MALFORMED') throw e;
      return { id, type, entry: '', error: e };
    }
  });
}

/** Reads a Signature.xml; malformed XML throws OFD_MALFORMED (the caller turns it into a failed signature). */
export function readSignatureXml(bytes: Uint8Array, part: string): SignatureXml {
  const root = rootNamed(bytes, part, 'Signature');
  const info = child(root, 'SignedInfo');
  if (!info) throw ofdMalformed(`${shown(part)} 没有 SignedInfo`, `${shown(part)} has no SignedInfo`);
  const refs = child(info, 'References');
  const provider = child(info, 'Provider');
  const seal = child(info, 'Seal');
  return {
    signatureMethod: childText(info, 'SignatureMethod'),
    signatureDateTime: childText(info, 'SignatureDateTime'),
    checkMethod: refs?.attributes.get('CheckMethod'),
    references: (refs ? childrenNamed(refs, 'Reference') : []).map((r) => ({
      fileRef: r.attributes.get('FileRef') ?? '',
      checkValue: childText(r, 'CheckValue') ?? '',
    })),
    stampAnnots: childrenNamed(info, 'StampAnnot').map((a) => ({
      id: a.attributes.get('ID'), pageRef: a.attributes.get('PageRef'), boundary: a.attributes.get('Boundary'),
    })),
    sealLoc: seal ? childText(seal, 'BaseLoc') : undefined,
    signedValueLoc: childText(root, 'SignedValue'),
    provider: provider ? [provider.attributes.get('ProviderName'), provider.attributes.get('Company')].filter(Boolean).join(' / ') : undefined,
  };
}

/**
 * Page ID → 1-based page number, from Document.xml's Pages. Only used to place stamps in the report,
 * so an unreadable Document.xml gives an empty map instead of an error (its integrity is judged by
 * the References, like any other file).
 */
export function readPageNumbers(zip: ZipArchive, documentEntry: string | undefined): Map<string, number> {
  const pages = new Map<string, number>();
  if (!documentEntry) return pages;
  try {
    const root = rootNamed(zip.read(documentEntry), documentEntry, 'Document');
    const list = child(root, 'Pages');
    (list ? childrenNamed(list, 'Page') : []).forEach((p, i) => {
      const id = p.attributes.get('ID');
      if (id !== undefined && !pages.has(id.trim())) pages.set(id.trim(), i + 1);
    });
  } catch {
    // placement is a courtesy: see above
  }
  return pages;
}
