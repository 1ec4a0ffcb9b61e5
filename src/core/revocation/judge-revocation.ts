/**
 * The judgement at the signing time (GM/T 0031 §6.2.3 d, RFC 5280 §6.3): for every certificate of
 * a chain below its trust anchor, the status data in the pool that checks out is looked up; a
 * certificate revoked (or compromised, by its invalidity date) before the signing time makes the
 * stamp invalid; revoked after it leaves the stamp valid with a note — but only when the signing
 * time is a trusted timestamp's, since a claimed time can be backdated; no usable data is a visible
 * warning where status was published or wanted, and "not checked" where the certificate publishes
 * none and none is configured.
 */
import type { BilingualText, CertificateRevocation, CheckStatus, RevocationSummary } from '../../api/verification-report';
import { bytesEqual } from '../asn1/der';
import type { ParsedCertificate } from '../crypto/certificate';
import { certificatePointers } from './certificate-pointers';
import { judgeCrl, parseCrl } from './crl';
import { certificateKey, type EvidenceItem, type RevocationEvidence } from './evidence';
import { CLOCK_SKEW_MS, judgeOcspResponse } from './ocsp';
import { effectiveRevocationTime, type RevocationSource, type StatusFinding } from './status-finding';

export interface ChainToJudge {
  /** Leaf first; the last is the trust anchor when the chain reached one. */
  chain: ParsedCertificate[];
  /** Whether the last certificate is a trust anchor (its own status is then not asked). */
  anchored: boolean;
  role: 'signer' | 'maker' | 'tsa';
}

export interface StatusAt {
  finding?: StatusFinding;
  source?: RevocationSource;
  problems: BilingualText[];
}

const time = (d: Date | undefined): number => d?.getTime() ?? NaN;

/** Whether a finding speaks for the status at `at`: issued after it, or promising to cover it. */
function covers(f: StatusFinding, at: Date): boolean {
  if (f.status === 'revoked') return true;
  const issued = time(f.producedAt ?? f.thisUpdate);
  if (issued >= at.getTime() - CLOCK_SKEW_MS) return true;
  return f.nextUpdate !== undefined && f.nextUpdate.getTime() >= at.getTime();
}

/** All findings the pool proves for `cert` (issued by `issuer`), each with its source. */
export function findingsFor(cert: ParsedCertificate, issuer: ParsedCertificate, pool: RevocationEvidence): Array<{ finding: StatusFinding; source: RevocationSource; }> & { problems?: BilingualText[] } {
  const out: Array<{ finding: StatusFinding; source: RevocationSource }> & { problems?: BilingualText[] } = [];
  const problems: BilingualText[] = [];
  const current = (e: EvidenceItem): Date | undefined => (e.source === 'embedded' ? undefined : e.fetchedAt);
  for (const o of pool.ocsps) {
    const j = judgeOcspResponse(o.der, { cert, issuer, nonce: o.nonce, currentAt: current(o) });
    if (j.ok) out.push({ finding: j.finding, source: o.source });
    else if (!/CertID/.test(j.problem.en) && o.source !== 'embedded') problems.push(j.problem);
  }
  const crls = pool.crls.map((c) => ({ item: c, parsed: parseCrl(c.der) }));
  const issuerCrls = crls.filter((c) => c.parsed && bytesEqual(c.parsed.issuerDer, issuer.subjectDer));
  const deltas = issuerCrls.filter((c) => c.parsed!.deltaBase !== undefined).map((c) => c.parsed!);
  for (const c of issuerCrls) {
    if (c.parsed!.deltaBase !== undefined) continue;
    const j = judgeCrl(c.parsed!, { cert, issuer, deltas, currentAt: current(c.item) });
    if (j.ok) out.push({ finding: j.finding, source: c.item.source });
    else if (c.item.source !== 'embedded') problems.push(j.problem);
  }
  for (const c of crls) if (!c.parsed && c.item.source !== 'embedded') problems.push({ zh: '吊销列表无法解析', en: 'the CRL cannot be parsed' });
  out.problems = problems;
  return out;
}

/** The status of one certificate at `at`: a revocation wins over any "good"; else the newest covering "good"; else "unknown". */
export function statusAt(cert: ParsedCertificate, issuer: ParsedCertificate, at: Date, pool: RevocationEvidence): StatusAt {
  const all = findingsFor(cert, issuer, pool);
  const problems = [...(all.problems ?? []), ...(pool.failures.get(certificateKey(cert)) ?? [])];
  const revoked = all.filter((x) => x.finding.status === 'revoked')
    .sort((a, b) => time(effectiveRevocationTime(a.finding)) - time(effectiveRevocationTime(b.finding)));
  if (revoked[0]) return { ...revoked[0], problems };
  const good = all.filter((x) => x.finding.status === 'good' && covers(x.finding, at))
    .sort((a, b) => time(b.finding.producedAt ?? b.finding.thisUpdate) - time(a.finding.producedAt ?? a.finding.thisUpdate));
  if (good[0]) return { ...good[0], problems };
  const stale = all.find((x) => x.finding.status === 'good');
  if (stale) problems.push({ zh: `现有吊销信息早于签章时间（${stale.finding.thisUpdate.toISOString()}），不能证明签章时的状态`, en: `the status data at hand predates the signing time (${stale.finding.thisUpdate.toISOString()}) and proves nothing about it` });
  const unknown = all.find((x) => x.finding.status === 'unknown');
  if (unknown) return { ...unknown, problems };
  return { problems };
}

const ROLE_CA = { signer: 'signer_ca', maker: 'maker_ca', tsa: 'tsa_ca' } as const;
const METHOD = { ocsp: 'OCSP', crl: 'CRL' } as const;
const SOURCE: Record<RevocationSource, BilingualText> = {
  embedded: { zh: '文件内嵌', en: 'embedded in the file' },
  fetched: { zh: '联网获取', en: 'fetched' },
  cache: { zh: '本地缓存', en: 'from the cache' },
};

export interface RevocationJudgement {
  status: CheckStatus;
  message: BilingualText;
  summary: RevocationSummary;
}

export interface JudgeInput {
  chains: ChainToJudge[];
  at: Date;
  timeTrusted: boolean;
  pool: RevocationEvidence;
  /** Responders configured for issuers (so a certificate without pointers can still be checked). */
  configured?: (issuer: ParsedCertificate) => boolean;
}

export function judgeRevocation(input: JudgeInput): RevocationJudgement {
  const at = input.at;
  const certs: CertificateRevocation[] = [];
  const failed: BilingualText[] = [];
  const warned: BilingualText[] = [];
  const notes: BilingualText[] = [];
  let unchecked = 0;
  const seen = new Set<string>();
  for (const { chain, anchored, role } of input.chains) {
    const last = anchored ? chain.length - 1 : chain.length;
    for (let i = 0; i < last; i++) {
      const cert = chain[i]!;
      const issuer = chain[i + 1];
      const key = `${role}:${certificateKey(cert)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const base = { role: i === 0 ? role : ROLE_CA[role], subject: cert.subject, serialNumber: cert.serialHex } as const;
      if (!issuer) {
        certs.push({ ...base, status: 'not_checked', message: { zh: '找不到签发者证书，无法检查吊销状态', en: 'the issuer certificate is not known: status not checked' } });
        unchecked++;
        continue;
      }
      const s = statusAt(cert, issuer, at, input.pool);
      const f = s.finding;
      const why = s.problems.length > 0 ? `：${s.problems.map((p) => p.zh).join('；')}` : '';
      const whyEn = s.problems.length > 0 ? `: ${s.problems.map((p) => p.en).join('; ')}` : '';
      if (!f) {
        const pointers = certificatePointers(cert.der);
        const published = pointers.ocsp.length + pointers.crl.length > 0 || (input.configured?.(issuer) ?? false);
        const msg = published
          ? { zh: `未能确认证书“${cert.subject}”的吊销状态${why || (input.pool.online ? '' : '(离线验证,文件中没有吊销信息)')}`, en: `the revocation status of "${cert.subject}" could not be established${whyEn || (input.pool.online ? '' : ' (offline, and the file carries no revocation data)')}` }
          : { zh: `证书“${cert.subject}”未发布吊销信息来源，也未配置，未检查吊销状态`, en: `"${cert.subject}" publishes no revocation source and none is configured: revocation not checked` };
        certs.push({ ...base, status: 'not_checked', message: msg });
        if (published) warned.push(msg); else unchecked++;
        continue;
      }
      const common = { ...base, method: f.method, source: s.source, statusTime: (f.producedAt ?? f.thisUpdate).toISOString() };
      const via = `${METHOD[f.method]},${SOURCE[s.source!].zh}`;
      const viaEn = `${METHOD[f.method]}, ${SOURCE[s.source!].en}`;
      if (f.status === 'unknown') {
        const msg = { zh: `吊销服务不认识证书“${cert.subject}”（状态 unknown，${via}）`, en: `the responder does not know "${cert.subject}" (status unknown, ${viaEn})` };
        certs.push({ ...common, status: 'unknown', message: msg });
        warned.push(msg);
        continue;
      }
      if (f.status === 'good') {
        certs.push({ ...common, status: 'good', message: { zh: `未吊销（${via}，${(f.producedAt ?? f.thisUpdate).toISOString()}）`, en: `not revoked (${viaEn}, ${(f.producedAt ?? f.thisUpdate).toISOString()})` } });
        continue;
      }
      const when = effectiveRevocationTime(f)!;
      const reason = f.reason ? `,原因 ${f.reason}` : '';
      const reasonEn = f.reason ? `, reason ${f.reason}` : '';
      const inv = f.invalidityDate ? `,密钥失效时间 ${f.invalidityDate.toISOString()}` : '';
      const invEn = f.invalidityDate ? `, invalid since ${f.invalidityDate.toISOString()}` : '';
      const extra = { revokedAt: f.revokedAt?.toISOString(), reason: f.reason, invalidityDate: f.invalidityDate?.toISOString() };
      if (when.getTime() <= at.getTime()) {
        const msg = { zh: `证书“${cert.subject}”已于 ${f.revokedAt?.toISOString()} 被吊销${reason}${inv}，早于签章时间 ${at.toISOString()}（${via}）`, en: `"${cert.subject}" was revoked at ${f.revokedAt?.toISOString()}${reasonEn}${invEn}, before the signing time ${at.toISOString()} (${viaEn})` };
        certs.push({ ...common, ...extra, status: 'revoked_before', message: msg });
        failed.push(msg);
      } else {
        const msg = { zh: `证书“${cert.subject}”于 ${f.revokedAt?.toISOString()} 被吊销${reason}${inv}，晚于签章时间 ${at.toISOString()}（${via}）`, en: `"${cert.subject}" was revoked at ${f.revokedAt?.toISOString()}${reasonEn}${invEn}, after the signing time ${at.toISOString()} (${viaEn})` };
        certs.push({ ...common, ...extra, status: 'revoked_after', message: msg });
        if (input.timeTrusted) notes.push(msg);
        else warned.push({ zh: `${msg.zh}；签章时间仅为签章人声明，无法证明签章早于吊销`, en: `${msg.en}; the signing time is only claimed, so the stamp cannot be proven to predate the revocation` });
      }
    }
  }
  const proven = certs.filter((c) => c.status === 'good' || c.status === 'revoked_after').map((c) => c.statusTime!).sort();
  const allProven = certs.length > 0 && certs.every((c) => c.status === 'good' || c.status === 'revoked_after');
  const summary: RevocationSummary = {
    judgedAt: at.toISOString(), timeTrusted: input.timeTrusted, offline: !input.pool.online,
    provenAt: allProven ? proven[proven.length - 1] : undefined, certificates: certs,
  };
  const sources = [...new Set(certs.flatMap((c) => (c.source ? [c.source] : [])))];
  const from = { zh: sources.map((x) => SOURCE[x].zh).join('、'), en: sources.map((x) => SOURCE[x].en).join(', ') };
  const offline = input.pool.online ? { zh: '', en: '' } : { zh: '，离线验证', en: ', verified offline' };
  const join = (list: BilingualText[]): BilingualText => ({ zh: list.map((m) => m.zh).join('；'), en: list.map((m) => m.en).join('; ') });
  if (failed.length > 0) return { status: 'failed', message: join(failed), summary };
  if (warned.length > 0) return { status: 'warning', message: join([...warned, ...notes]), summary };
  if (certs.length === 0 || unchecked === certs.length) {
    return { status: 'not_checked', message: { zh: '吊销状态未检查：证书未发布吊销信息来源（OCSP/CRL），也未配置', en: 'Revocation not checked: the certificates publish no OCSP or CRL source and none is configured' }, summary };
  }
  const notChecked = certs.filter((c) => c.status === 'not_checked');
  const rest = notChecked.length > 0 ? { zh: `；${notChecked.length} 张证书未检查`, en: `; ${notChecked.length} certificate(s) not checked` } : { zh: '', en: '' };
  if (notes.length > 0) {
    const j = join(notes);
    return { status: 'ok', message: { zh: `签章时证书未被吊销；注意：${j.zh}${rest.zh}`, en: `Not revoked at the signing time; note: ${j.en}${rest.en}` }, summary };
  }
  return {
    status: notChecked.length > 0 ? 'warning' : 'ok',
    message: { zh: `签章时证书链未被吊销（来源：${from.zh}${offline.zh}，于 ${summary.provenAt ?? '?'} 证明）${rest.zh}`, en: `The chain was not revoked at the signing time (data ${from.en}${offline.en}; proven at ${summary.provenAt ?? '?'})${rest.en}` },
    summary,
  };
}
