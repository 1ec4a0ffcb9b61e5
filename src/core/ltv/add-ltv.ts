/**
 * PAdES long-term validation (ETSI EN 319 142-1 §5.4): B-LT adds, as one incremental update, a
 * /DSS with every certificate of each stamp's chains (signer, seal maker, TSA), the OCSP responses
 * and CRLs that prove them unrevoked at the signing time, and a /VRI entry per signature; B-LTA then
 * adds a document timestamp (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161) over it, so the data
 * itself is dated and sealed. Renewal fetches fresh data for everything in the file (earlier
 * document timestamps' TSAs included) and adds a new document timestamp, before the last one's TSA
 * certificate expires or its algorithms weaken. The input bytes are never changed: both updates
 * are appended, so the change rules "dss" and "document-timestamp" accept them.
 */
import { bytesEqual } from '../asn1/der';
import { SealDeskError } from '../errors';
import { openPdf } from '../pdf/document';
import { IncrementalUpdate, RawBody } from '../pdf/incremental-writer';
import { embedSignature, prepareSignature } from '../pdf/signature-placeholder';
import type { RevocationConfig } from '../revocation/revocation-config';
import { gatherRevocation } from '../revocation/gather-revocation';
import { findingsFor, statusAt } from '../revocation/judge-revocation';
import { mergeEvidence } from '../revocation/evidence';
import { certificatesToCheck, chainsOfStamp } from '../revocation/stamp-revocation';
import { stampCertificatesOf } from '../revocation/pdf-stamp-certificates';
import { requestTimestamp } from '../timestamp/tsa-client';
import { signedBytes } from '../verify/byte-range';
import { addToDss, dssEvidence, readDss, type DssAddition } from './dss';

export interface LtvOptions {
  trustRoots: Uint8Array[];
  config?: RevocationConfig;
  /** A TSA for the document timestamp (B-LTA); without it only B-LT is made. */
  tsaUrl?: string;
  /** Fetch fresh data even where the /DSS already proves the status (renewal). */
  renew?: boolean;
  now?: Date;
}

export interface LtvResult {
  bytes: Buffer;
  level: 'B-LT' | 'B-LTA';
  /** Stamps whose chains are fully proven by the DSS now. */
  proven: string[];
  /** Stamps (field names) some of whose certificates have no usable status data. */
  unproven: Array<{ field: string; subject: string }>;
}

const uniq = (list: Uint8Array[]): Uint8Array[] => list.filter((x, i) => list.findIndex((y) => bytesEqual(x, y)) === i);

export async function addLtv(input: Uint8Array, o: LtvOptions): Promise<LtvResult> {
  const now = o.now ?? new Date();
  const doc = openPdf(input);
  const existing = readDss(doc);
  const embedded = dssEvidence(existing);
  const stamps = stampCertificatesOf(doc, o.trustRoots, existing.certs);
  if (stamps.length === 0) throw new SealDeskError('LTV_NOTHING_TO_VALIDATE', '文件中没有可补充验证数据的签章', 'The file carries no stamp to add validation data for');
  const perStamp = stamps.map((s) => ({ s, chains: chainsOfStamp(s, s.at ?? now) }));
  const wanted = perStamp.flatMap(({ s, chains }) => certificatesToCheck(chains)
    .filter(({ cert, issuer }) => o.renew || !statusAt(cert, issuer, s.at ?? now, embedded).finding));
  const fetched = wanted.length > 0 ? await gatherRevocation(wanted, { config: o.config, now }) : undefined;
  const pool = mergeEvidence(embedded, fetched);

  const add: DssAddition = { certs: [], ocsps: [], crls: [], vri: [], time: now };
  const proven: string[] = [];
  const unproven: LtvResult['unproven'] = [];
  for (const { s, chains } of perStamp) {
    const certs = uniq(chains.flatMap((c) => c.chain.map((x) => x.der)));
    const ocsps: Uint8Array[] = [];
    const crls: Uint8Array[] = [];
    let ok = true;
    for (const { cert, issuer } of certificatesToCheck(chains)) {
      const at = s.at ?? now;
      if (!statusAt(cert, issuer, at, pool).finding) { ok = false; unproven.push({ field: s.field, subject: cert.subject }); continue; }
      // every piece of data that speaks for this certificate (fresh ones only: the embedded are there already)
      for (const f of findingsFor(cert, issuer, fetched ?? pool)) {
        certs.push(...f.finding.extraCertificates);
      }
      for (const item of (fetched ?? { ocsps: [], crls: [] }).ocsps) if (findingsFor(cert, issuer, { ...pool, ocsps: [item], crls: [] }).length) ocsps.push(item.der);
      for (const item of (fetched ?? { ocsps: [], crls: [] }).crls) if (findingsFor(cert, issuer, { ...pool, ocsps: [], crls: [item] }).length) crls.push(item.der);
    }
    if (ok) proven.push(s.field);
    add.certs.push(...certs);
    add.ocsps.push(...ocsps);
    add.crls.push(...crls);
    add.vri.push({ contents: s.contents, certs: uniq(certs), ocsps: uniq(ocsps), crls: uniq(crls) });
  }
  add.certs = uniq(add.certs);
  add.ocsps = uniq(add.ocsps);
  add.crls = uniq(add.crls);
  const update = new IncrementalUpdate(doc);
  addToDss(doc, update, add);
  let bytes = update.write().bytes;
  if (!o.tsaUrl) return { bytes, level: 'B-LT', proven, unproven };
  bytes = await addDocumentTimestamp(bytes, o.tsaUrl, now);
  return { bytes, level: 'B-LTA', proven, unproven };
}

/** Appends a document timestamp (invisible, on page 1) whose token covers the whole file before it. */
export async function addDocumentTimestamp(input: Uint8Array, tsaUrl: string, now = new Date()): Promise<Buffer> {
  const doc = openPdf(input);
  const update = new IncrementalUpdate(doc);
  const appearance = update.add(new RawBody(Buffer.from('<< /Type /XObject /Subtype /Form /BBox [0 0 0 0] /Length 0 >>\nstream\n\nendstream', 'latin1')));
  const taken = new Set(doc.signatureFields().map((f) => f.name));
  let n = 1;
  while (taken.has(`SealDesk_DocTimeStamp_${n}`)) n++;
  const prepared = prepareSignature(doc, update, {
    pageIndex: 0, rect: [0, 0, 0, 0], appearance, signingTime: now, contentsSize: 12_000,
    subFilter: 'ETSI.RFC3161', type: 'DocTimeStamp', fieldName: `SealDesk_DocTimeStamp_${n}`,
  });
  const token = await requestTimestamp(signedBytes(prepared.bytes, prepared.byteRange), { url: tsaUrl });
  embedSignature(prepared, token);
  return prepared.bytes;
}
