/**
 * Verification's "印章状态 / seal status" check (issue #9), added to a finished report: for each stamp,
 * the seal's state at the signing time — the timestamp's time, else the embedded permit's time, else
 * the claimed time (with a warning) — asked of the configured platform (signed status, our nonce,
 * after the log's checkpoint is checked against the largest seen), or, when the platform cannot be
 * reached, taken from the permit in the stamp and labelled "as of" its time. An embedded permit is
 * always checked: platform key, seal, signer certificate, and a document digest that is the file as
 * it was before the stamp (an earlier revision).
 */
import crypto from 'node:crypto';
import type { Check, SignatureReport, VerificationReport } from '../../api/verification-report';
import type { PermitPayload, StatusPayload } from '../../platform/api/contract';
import { decodeSesSignature } from '../asn1/ses-signature';
import { derValueLength } from '../cms/der';
import { OID_ATTR_PLATFORM_PERMIT } from '../cms/oids';
import { parseCms } from '../cms/parse-cms';
import { sniffGmContents } from '../gm/pdf-profile';
import type { SealDeskConfig } from '../config/config';
import { isSealDeskError, type SealDeskError } from '../errors';
import { openPdf } from '../pdf/document';
import { sourceOf, type ByteSource } from '../pdf/byte-source';
import { PlatformConnection } from './connection';
import { LogWatch } from './log-watch';
import { checkPermit, parsePermitBytes, signedStatus } from './permit';
import { NO_PLATFORM_NOTE, type PlatformSettings } from './platform-settings';

const check = (status: Check['status'], zh: string, en: string): Check => ({ id: 'seal_status', status, message: { zh, en } });

interface StampFacts { permit?: unknown; signerCertificate?: Uint8Array }

const permitOf = (bytes: Uint8Array | undefined): unknown => (bytes ? parsePermitBytes(bytes) ?? null : undefined);

/** PAdES: the permit is the signed attribute OID_ATTR_PLATFORM_PERMIT. */
function cadesFacts(contents: Uint8Array): StampFacts {
  const cms = parseCms(contents);
  return { permit: permitOf(cms.permit), signerCertificate: cms.signerCertificate };
}

/** GB/T 38540: the permit is the TBS_Sign extData OID_ATTR_PLATFORM_PERMIT. */
function gmFacts(contents: Uint8Array): StampFacts {
  const ses = decodeSesSignature(contents.subarray(0, derValueLength(contents)));
  return { permit: permitOf(ses.toSign.extDatas.find((e) => e.extnID === OID_ATTR_PLATFORM_PERMIT)?.extnValue), signerCertificate: ses.cert };
}

/** The permit and signer certificate of each signature field, by field name. */
function stampFacts(bytes: ByteSource): { facts: Map<string, StampFacts>; revisionEnds: RevisionBounds[] } {
  const facts = new Map<string, StampFacts>();
  let revisionEnds: RevisionBounds[] = [];
  try {
    const doc = openPdf(bytes);
    revisionEnds = doc.revisions.map((r) => {
      let firstObject = r.xrefOffsets[0] ?? r.end;
      for (const e of r.entries.values()) if (e.type === 'offset' && e.offset < firstObject) firstObject = e.offset;
      return { end: r.end, eofEnd: r.eofEnd, firstObject };
    });
    for (const f of doc.signatureFields()) {
      if (!f.value) continue;
      try {
        facts.set(f.name, sniffGmContents(f.value.contents) === 'ses-signature' ? gmFacts(f.value.contents) : cadesFacts(f.value.contents));
      } catch {
        facts.set(f.name, {});
      }
    }
  } catch {
    // The verifier has already reported what cannot be read; no status can be added for it.
  }
  return { facts, revisionEnds };
}

/**
 * The permit's digest must be the file as it was before the stamp: the bytes up to an earlier
 * revision's end, or — when the file had bytes after its last %%EOF, which the stamp kept — up to
 * where the stamp's own revision begins (its first object). That gap is searched byte by byte with
 * one running hash, bounded.
 */
const MAX_TRAILING_GAP = 64 * 1024;
function permitDigestMatches(p: PermitPayload, bytes: ByteSource, revisions: RevisionBounds[], revision: number | null): boolean {
  if (p.documentDigest.alg !== 'sha256') return false;
  const r = revision ?? revisions.length - 1;
  if (r <= 0 || r >= revisions.length) return false;
  const want = p.documentDigest.hex;
  // One streamed pass (the file is never held whole, issue #13): the running hash is read at every
  // earlier revision's end, then byte by byte across the bounded gap before this stamp's revision.
  const from = revisions[r - 1]!.end;
  const to = Math.min(revisions[r]!.firstObject, from + MAX_TRAILING_GAP, bytes.length);
  const ends = new Set(revisions.slice(0, r).flatMap((rev) => [rev.end, rev.eofEnd]));
  const h = crypto.createHash('sha256');
  let at = 0;
  let found = false;
  const hashTo = (end: number): void => {
    bytes.forEachChunk(at, end, (chunk) => { h.update(chunk); });
    at = end;
  };
  for (const end of [...ends].filter((e) => e < from).sort((a, b) => a - b)) {
    hashTo(end);
    if (h.copy().digest('hex') === want) return true;
  }
  hashTo(from);
  for (let end = from; end <= to && !found; end++) {
    if (end > from) hashTo(end);
    found = h.copy().digest('hex') === want;
  }
  return found;
}

interface RevisionBounds { end: number; eofEnd: number; firstObject: number }

type Time = { at: Date; source: 'timestamp' | 'permit' | 'claimed' };

function signingTimeOf(s: SignatureReport, permit: PermitPayload | undefined): Time | undefined {
  if (s.timeSource === 'timestamp' && s.timestampTime) return { at: new Date(s.timestampTime), source: 'timestamp' };
  if (permit) return { at: new Date(permit.producedAt), source: 'permit' };
  if (s.claimedTime) return { at: new Date(s.claimedTime), source: 'claimed' };
  return undefined;
}

const TIME_LABEL = { timestamp: ['时间戳时间', 'timestamp time'], permit: ['用印许可时间', "permit's time"], claimed: ['签章人声称的时间(未经时间戳证明)', "signer's claimed time (no timestamp)"] } as const;

/** Judges the platform's signed answers at the signing time and now. */
export function judgeStatus(at: StatusPayload, now: StatusPayload | undefined, t: Time): Check {
  const when = `${TIME_LABEL[t.source][0]} ${t.at.toISOString()}`;
  const whenEn = `${TIME_LABEL[t.source][1]} ${t.at.toISOString()}`;
  const ev = at.decidingEvent;
  switch (at.state) {
    case 'unknown': return check('warning', '印章未在电子印章管理平台备案,无法核验印章状态', 'The seal is unknown to the seal platform; its status cannot be checked');
    case 'not_yet_registered': return check('warning', `签章时(${when})印章尚未在平台备案`, `The seal was not yet registered on the platform at the signing time (${whenEn})`);
    case 'lost': return check('failed', `印章已挂失(自 ${ev?.effectiveAt ?? '?'} 起,早于签章时间 ${when})`, `The seal had been reported lost (effective ${ev?.effectiveAt ?? '?'}, before the signing time, ${whenEn})`);
    case 'suspended': return check('failed', `签章时印章已暂停使用(${when})`, `The seal was suspended at the signing time (${whenEn})`);
    case 'cancelled': return check('failed', `签章时印章已注销(${when})`, `The seal was cancelled at the signing time (${whenEn})`);
    case 'in_use': break;
  }
  if (at.expired) return check('failed', `签章时印章不在有效期内(${when})`, `The seal was outside its validity at the signing time (${whenEn})`);
  const status = t.source === 'claimed' ? 'warning' : 'ok';
  const later = now && now.state !== 'in_use' && now.decidingEvent
    ? { zh: `;该印章于 ${now.decidingEvent.effectiveAt} 后${now.state === 'lost' ? '挂失' : now.state === 'suspended' ? '暂停使用' : '注销'}(在签章之后)`, en: `; the seal was ${now.state === 'lost' ? 'reported lost' : now.state} from ${now.decidingEvent.effectiveAt}, after the signing time` }
    : { zh: '', en: '' };
  return check(status, `签章时(${when})印章在用,经电子印章管理平台核验${later.zh}`, `The seal was in use at the signing time (${whenEn}), checked with the seal platform${later.en}`);
}

async function askPlatform(home: string, s: PlatformSettings, conn: PlatformConnection, esID: string, t: Time): Promise<Check> {
  const watch = new LogWatch(home, s, conn);
  await watch.current();
  const at = await signedStatus(conn, s, esID, t.at);
  const now = await signedStatus(conn, s, esID);
  await watch.assertNotBehind(Math.min(at.logSize, now.logSize));
  return judgeStatus(at, now, t);
}

function offlineAnswer(permit: PermitPayload | undefined, reason: SealDeskError): Check {
  if (!permit) return check('warning', `${reason.zh};签章中没有用印许可,未核验印章状态`, `${reason.en}; the stamp carries no permit, seal status not checked`);
  return check('warning', `离线核验:截至 ${permit.producedAt},电子印章管理平台确认印章在用(签章中的用印许可);${reason.zh}`,
    `Offline: as of ${permit.producedAt} the seal platform said the seal was in use (the permit in the stamp); ${reason.en}`);
}

/** Adds the seal_status check to every stamp of the report (and recomputes the verdicts). */
export async function addSealStatus(report: VerificationReport, input: Uint8Array | ByteSource, o: { config: SealDeskConfig; home: string }): Promise<VerificationReport> {
  const s = o.config.platform;
  const bytes = sourceOf(input);
  const { facts, revisionEnds } = stampFacts(bytes);
  const conn = s ? PlatformConnection.of(s) : undefined;
  try {
    for (const sig of report.signatures) {
      sig.checks = sig.checks.filter((c) => c.id !== 'seal_status');
      sig.checks.push(await statusOf(sig, facts.get(sig.field) ?? {}, bytes, revisionEnds, s, conn, o.home));
      const checks = sig.checks.filter((c) => c.status !== 'not_checked');
      sig.verdict = checks.some((c) => c.status === 'failed') ? 'invalid' : checks.some((c) => c.status === 'warning') ? 'warning' : sig.verdict;
    }
  } finally {
    conn?.close();
  }
  const sigs = report.signatures;
  if (sigs.some((x) => x.verdict === 'invalid')) report.verdict = 'invalid';
  else if (sigs.some((x) => x.verdict === 'warning') && report.verdict === 'valid') report.verdict = 'warning';
  return report;
}

async function statusOf(sig: SignatureReport, f: StampFacts, bytes: ByteSource, revisionEnds: RevisionBounds[], s: PlatformSettings | undefined, conn: PlatformConnection | undefined, home: string): Promise<Check> {
  if (!s || !conn) return check('not_checked', NO_PLATFORM_NOTE.zh, NO_PLATFORM_NOTE.en);
  const esID = sig.seal?.esID;
  if (!esID) return check('not_checked', '签章中没有可识别的印章,未核验印章状态', 'No seal could be read from the stamp; seal status not checked');
  let permit: PermitPayload | undefined;
  if (f.permit !== undefined) {
    try {
      if (!f.signerCertificate) throw new Error('no signer certificate');
      permit = checkPermit(f.permit, s, { esID, certificate: f.signerCertificate });
    } catch (e) {
      return check('failed', isSealDeskError(e) ? e.zh : '用印许可无效', isSealDeskError(e) ? e.en : 'The stamping permit is not valid');
    }
    if (!permitDigestMatches(permit, bytes, revisionEnds, sig.revision)) return check('failed', '用印许可针对另一份文档', 'The stamping permit is for another document');
  }
  const t = signingTimeOf(sig, permit);
  if (!t) return check('warning', '签章没有可用的签章时间,未核验印章状态', 'The stamp has no signing time; seal status not checked');
  const noPermit = permit ? undefined : { zh: ';该签章中没有用印许可', en: '; the stamp carries no stamping permit' };
  try {
    const c = await askPlatform(home, s, conn, esID, t);
    if (noPermit && c.status !== 'failed') return check('warning', c.message.zh + noPermit.zh, c.message.en + noPermit.en);
    return c;
  } catch (e) {
    if (!isSealDeskError(e)) throw e;
    if (e.code.startsWith('LOG_')) return check('failed', e.zh, e.en);
    return offlineAnswer(permit, e);
  }
}
