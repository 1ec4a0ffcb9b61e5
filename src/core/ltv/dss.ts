/**
 * The Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4.2): /DSS in the
 * catalog with /Certs, /OCSPs and /CRLs (arrays of streams holding DER) and /VRI, a dictionary
 * keyed by the upper-case hex SHA-1 of each signature's /Contents with that signature's own lists
 * (/Cert, /OCSP, /CRL) and /TU, the time the data was gathered. Reading is lenient (a broken entry
 * is skipped, never a crash); writing appends one incremental update that keeps every stream
 * already in the DSS and adds the new ones, so the change rule "dss" accepts it.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { bytesEqual } from '../asn1/der';
import type { PdfDocument } from '../pdf/document';
import { IncrementalUpdate } from '../pdf/incremental-writer';
import { PdfArray, PdfDict, PdfRef, PdfStream, PdfString, array, dict, name, withEntries, type PdfObject } from '../pdf/objects';
import { emptyEvidence, type RevocationEvidence } from '../revocation/evidence';

export interface DssContents {
  certs: Uint8Array[];
  ocsps: Uint8Array[];
  crls: Uint8Array[];
  /** Upper-case hex SHA-1 of /Contents → what that signature's entry lists. */
  vri: Map<string, { certs: Uint8Array[]; ocsps: Uint8Array[]; crls: Uint8Array[]; tu?: string }>;
  /** Object references of the streams already there, to keep in a rewrite. */
  refs: { certs: PdfObject[]; ocsps: PdfObject[]; crls: PdfObject[] };
  present: boolean;
}

/** SHA-1 of a signature's /Contents (the whole string, padding included), upper-case hex: its /VRI key. */
export function vriKey(contents: Uint8Array): string {
  return crypto.createHash('sha1').update(contents).digest('hex').toUpperCase();
}

function streamsOf(doc: PdfDocument, o: PdfObject | undefined, budget: { left: number }): { data: Uint8Array[]; refs: PdfObject[] } {
  const out: { data: Uint8Array[]; refs: PdfObject[] } = { data: [], refs: [] };
  let arr: PdfArray | undefined;
  try { arr = doc.resolveArray(o); } catch { return out; }
  for (const item of arr?.items ?? []) {
    if (budget.left-- <= 0) break;
    try {
      const s = doc.resolve(item);
      if (!(s instanceof PdfStream)) continue;
      out.data.push(doc.decode(s).data);
      out.refs.push(item);
    } catch {
      // an unreadable stream is left out of the pool
    }
  }
  return out;
}

/** Reads /DSS; an absent or malformed DSS reads as empty. At most 2000 streams are read. */
export function readDss(doc: PdfDocument): DssContents {
  const empty: DssContents = { certs: [], ocsps: [], crls: [], vri: new Map(), refs: { certs: [], ocsps: [], crls: [] }, present: false };
  let dss: PdfDict | undefined;
  try { dss = doc.resolveDict(doc.catalog.get('DSS')); } catch { return empty; }
  if (!dss) return empty;
  const budget = { left: 2000 };
  const certs = streamsOf(doc, dss.get('Certs'), budget);
  const ocsps = streamsOf(doc, dss.get('OCSPs'), budget);
  const crls = streamsOf(doc, dss.get('CRLs'), budget);
  const vri = new Map<string, { certs: Uint8Array[]; ocsps: Uint8Array[]; crls: Uint8Array[]; tu?: string }>();
  try {
    const v = doc.resolveDict(dss.get('VRI'));
    for (const [key, entry] of v?.entries ?? []) {
      const e = doc.resolveDict(entry);
      if (!e) continue;
      const tu = doc.resolve(e.get('TU'));
      vri.set(key.toUpperCase(), {
        certs: streamsOf(doc, e.get('Cert'), budget).data,
        ocsps: streamsOf(doc, e.get('OCSP'), budget).data,
        crls: streamsOf(doc, e.get('CRL'), budget).data,
        tu: tu instanceof PdfString ? tu.text() : undefined,
      });
    }
  } catch {
    // a broken /VRI: the top-level lists still serve
  }
  return { certs: certs.data, ocsps: ocsps.data, crls: crls.data, vri, refs: { certs: certs.refs, ocsps: ocsps.refs, crls: crls.refs }, present: true };
}

/** The DSS as an evidence pool (source "embedded"), VRI lists included. */
export function dssEvidence(d: DssContents): RevocationEvidence {
  const pool = emptyEvidence(false);
  const all = { certs: [...d.certs], ocsps: [...d.ocsps], crls: [...d.crls] };
  for (const e of d.vri.values()) { all.certs.push(...e.certs); all.ocsps.push(...e.ocsps); all.crls.push(...e.crls); }
  const uniq = (list: Uint8Array[]): Uint8Array[] => list.filter((x, i) => list.findIndex((y) => bytesEqual(x, y)) === i);
  pool.certificates = uniq(all.certs);
  pool.ocsps = uniq(all.ocsps).map((der) => ({ der, source: 'embedded' as const }));
  pool.crls = uniq(all.crls).map((der) => ({ der, source: 'embedded' as const }));
  return pool;
}

export interface DssAddition {
  certs: Uint8Array[];
  ocsps: Uint8Array[];
  crls: Uint8Array[];
  /** Per signature (/Contents bytes): the material that validates it. */
  vri: Array<{ contents: Uint8Array; certs: Uint8Array[]; ocsps: Uint8Array[]; crls: Uint8Array[] }>;
  /** /TU of the new VRI entries. */
  time: Date;
}

function pdfDate(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/**
 * Adds `add` to the document's DSS in `update` (which the caller writes), creating the DSS when
 * there is none. Material already in the DSS is referenced, not copied again.
 */
export function addToDss(doc: PdfDocument, update: IncrementalUpdate, add: DssAddition): void {
  const existing = readDss(doc);
  const known = new Map<string, PdfObject>();
  const keyOf = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');
  const remember = (data: Uint8Array[], refs: PdfObject[]): void => data.forEach((d, i) => known.set(keyOf(d), refs[i]!));
  remember(existing.certs, existing.refs.certs);
  remember(existing.ocsps, existing.refs.ocsps);
  remember(existing.crls, existing.refs.crls);
  const refOf = (der: Uint8Array): PdfObject => {
    const k = keyOf(der);
    let r = known.get(k);
    if (!r) {
      const data = zlib.deflateSync(der);
      const d = dict({ Length: data.length, Filter: name('FlateDecode') });
      r = update.add(new PdfStream(d, data, d.span));
      known.set(k, r);
    }
    return r;
  };
  const merged = (old: PdfObject[], fresh: Uint8Array[]): PdfArray => {
    const items = [...old];
    for (const der of fresh) {
      const r = refOf(der);
      if (!items.some((x) => x instanceof PdfRef && r instanceof PdfRef && x.key === r.key)) items.push(r);
    }
    return array(items);
  };
  const catalog = doc.catalog;
  const rootRef = doc.trailer.get('Root');
  if (!(rootRef instanceof PdfRef)) throw new Error('the trailer /Root is not a reference');
  const oldDssObj = catalog.get('DSS');
  let oldDss: PdfDict | undefined;
  try { oldDss = doc.resolveDict(oldDssObj); } catch { oldDss = undefined; }
  let oldVri: PdfDict | undefined;
  try { oldVri = doc.resolveDict(oldDss?.get('VRI')); } catch { oldVri = undefined; }
  const vriEntries: Record<string, PdfObject> = {};
  for (const [k, v] of oldVri?.entries ?? []) vriEntries[k] = v;
  for (const v of add.vri) {
    const entry: Record<string, PdfObject> = { TU: new PdfString(Buffer.from(pdfDate(add.time), 'latin1'), false, { start: -1, end: -1 }) };
    if (v.certs.length) entry.Cert = array(v.certs.map(refOf));
    if (v.ocsps.length) entry.OCSP = array(v.ocsps.map(refOf));
    if (v.crls.length) entry.CRL = array(v.crls.map(refOf));
    vriEntries[vriKey(v.contents)] = update.add(dict(entry));
  }
  const dssEntries: Record<string, PdfObject> = { Type: name('DSS') };
  const certs = merged(existing.refs.certs, add.certs);
  const ocsps = merged(existing.refs.ocsps, add.ocsps);
  const crls = merged(existing.refs.crls, add.crls);
  if (certs.length) dssEntries.Certs = update.add(certs);
  if (ocsps.length) dssEntries.OCSPs = update.add(ocsps);
  if (crls.length) dssEntries.CRLs = update.add(crls);
  if (Object.keys(vriEntries).length) dssEntries.VRI = update.add(dict(vriEntries));
  const newDss = dict(dssEntries);
  if (oldDssObj instanceof PdfRef && oldDss) update.set(oldDssObj, newDss);
  else update.set(rootRef, withEntries(catalog, { DSS: update.add(newDss) }));
}
